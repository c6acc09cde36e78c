package io.flotilla.catalog;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A migration version: numeric parts compared one by one ({@code 10} after {@code 9}, {@code 1.10} after
 * {@code 1.2}), never as text. Leading zeros and trailing zero parts don't count, so {@code 001}, {@code 1}
 * and {@code 1.0} are the same version; the canonical text is the parts joined with dots.
 */
public record Version(List<BigInteger> parts) implements Comparable<Version> {

    /** Longest version text accepted: more is a typo or an attack, not a version. */
    public static final int MAX_LENGTH = 60;

    private static final Pattern TEXT = Pattern.compile("\\d+([._]\\d+)*");

    public Version {
        List<BigInteger> trimmed = new ArrayList<>(parts);
        while (trimmed.size() > 1 && trimmed.get(trimmed.size() - 1).signum() == 0) {
            trimmed.remove(trimmed.size() - 1);
        }
        parts = List.copyOf(trimmed);
    }

    /** Parses {@code 7}, {@code 007}, {@code 1.2}, {@code 1_10}; anything else is an {@link ErrorCode#INVALID_VERSION}. */
    public static Version parse(String text) {
        if (text == null || !TEXT.matcher(text).matches() || text.length() > MAX_LENGTH) {
            throw new FlotillaException(ErrorCode.INVALID_VERSION,
                    "'" + text + "' is not a version: use digits separated by '.' or '_', e.g. 7, 007, 1.2");
        }
        List<BigInteger> parts = new ArrayList<>();
        for (String part : text.split("[._]")) {
            parts.add(new BigInteger(part));
        }
        return new Version(parts);
    }

    /** The parts as {@code numeric[]}-friendly values, so SQL can order versions the same way. */
    public BigInteger[] key() {
        return parts.toArray(BigInteger[]::new);
    }

    @Override
    public int compareTo(Version other) {
        int n = Math.min(parts.size(), other.parts.size());
        for (int i = 0; i < n; i++) {
            int c = parts.get(i).compareTo(other.parts.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(parts.size(), other.parts.size());
    }

    @Override
    public String toString() {
        // Called for every step of every schema (ledger rows): a loop, not a stream.
        StringBuilder text = new StringBuilder();
        for (BigInteger part : parts) {
            text.append(text.isEmpty() ? "" : ".").append(part);
        }
        return text.toString();
    }
}
