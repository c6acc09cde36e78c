package io.flotilla.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a step waits for the locks it needs: one {@code lock_timeout} per attempt ({@code timeouts}, the last one
 * repeating; empty: one attempt with no {@code lock_timeout} at all, as Flyway runs), within {@code budget} for all
 * attempts and the pauses between them, each statement bounded by {@code statementTimeout} (zero: not bounded).
 */
public record LockPolicy(List<Duration> timeouts, Duration budget, Duration statementTimeout) {

    /** No lock_timeout, no retry, no statement_timeout: a step waits as long as PostgreSQL lets it. */
    public static final LockPolicy UNBOUNDED = new LockPolicy(List.of(), Duration.ZERO, Duration.ZERO);

    /** The longest duration taken anywhere (PostgreSQL's timeouts stop at about 24 days). */
    public static final Duration MAX = Duration.ofHours(24);

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    public LockPolicy {
        timeouts = List.copyOf(timeouts);
    }

    /** The attempt's {@code lock_timeout} (attempts count from 1), or null for none. */
    public Duration timeoutOf(int attempt) {
        return timeouts.isEmpty() ? null : timeouts.get(Math.min(attempt, timeouts.size()) - 1);
    }

    /** The attempt's {@code SET LOCAL}s (attempts count from 1), each ended by ";\n"; empty when it sets nothing. */
    public String localSettings(int attempt) {
        Duration timeout = timeoutOf(attempt);
        String settings = timeout == null ? "" : "SET LOCAL lock_timeout = " + millis(timeout) + ";\n";
        if (!statementTimeout.isZero()) {
            settings += "SET LOCAL statement_timeout = " + millis(statementTimeout) + ";\n";
        }
        return settings;
    }

    /** The attempt's session {@code SET}s for one statement run outside a transaction; empty when none. */
    public String sessionSettings(int attempt) {
        Duration timeout = timeoutOf(attempt);
        List<String> sets = new ArrayList<>();
        if (timeout != null) {
            sets.add("SET lock_timeout = " + millis(timeout));
        }
        if (!statementTimeout.isZero()) {
            sets.add("SET statement_timeout = " + millis(statementTimeout));
        }
        return String.join("; ", sets);
    }

    /**
     * This policy with only its longest timeout (the last), for a statement whose wait blocks no reader or writer (a
     * {@code CREATE INDEX CONCURRENTLY} waits for every older transaction, Flotilla's own steps in other schemas
     * included, holding only a lock that reads and writes pass): short attempts would only throw builds away.
     */
    public LockPolicy longestOnly() {
        return timeouts.size() <= 1 ? this : new LockPolicy(List.of(timeouts.get(timeouts.size() - 1)), budget,
                statementTimeout);
    }

    /** This policy with what {@code over} sets replacing its own. */
    public LockPolicy with(Overrides over) {
        if (over == null) {
            return this;
        }
        return new LockPolicy(over.timeouts() != null ? over.timeouts() : timeouts,
                over.budget() != null ? over.budget() : budget,
                over.statementTimeout() != null ? over.statementTimeout() : statementTimeout);
    }

    /** What a rollout or a migration sets of the policy; null: not set there. */
    public record Overrides(List<Duration> timeouts, Duration budget, Duration statementTimeout) {

        public static final Overrides NONE = new Overrides(null, null, null);

        public Overrides {
            timeouts = timeouts == null ? null : List.copyOf(timeouts);
        }

        public boolean none() {
            return timeouts == null && budget == null && statementTimeout == null;
        }

        /** {@code over} where it sets something, else this. */
        public Overrides then(Overrides over) {
            if (over == null || over.none()) {
                return this;
            }
            return new Overrides(over.timeouts != null ? over.timeouts : timeouts,
                    over.budget != null ? over.budget : budget,
                    over.statementTimeout != null ? over.statementTimeout : statementTimeout);
        }
    }

    /**
     * {@code 100ms}, {@code 2s}, {@code 5m}, {@code 1h} (a bare {@code 0} too), at most {@link #MAX}; empty when it
     * is none of these.
     */
    public static Optional<Duration> parseDuration(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        return d.compareTo(MAX) > 0 ? Optional.empty() : Optional.of(d);
    }

    /**
     * Attempt timeouts as written ({@code 100ms,1s}): each a positive duration; empty when one is not (the caller
     * names the bad one with {@link #badTimeout}).
     */
    public static Optional<List<Duration>> parseTimeouts(List<String> texts) {
        List<Duration> out = new ArrayList<>();
        for (String text : texts) {
            Optional<Duration> d = parseDuration(text);
            if (d.isEmpty() || d.get().isZero()) {
                return Optional.empty();
            }
            out.add(d.get());
        }
        return Optional.of(out);
    }

    /** The first of {@code texts} that is not a positive duration, or null. */
    public static String badTimeout(List<String> texts) {
        return texts.stream().filter(t -> parseDuration(t).filter(d -> !d.isZero()).isEmpty()).findFirst()
                .orElse(null);
    }

    /** Milliseconds as PostgreSQL's timeouts take them; never 0 for a positive duration (0 would mean none). */
    public static long millis(Duration d) {
        return Math.max(1, d.toMillis());
    }
}
