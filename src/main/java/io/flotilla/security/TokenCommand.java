package io.flotilla.security;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Signing API tokens outside the service, with the same key settings as the service: the key in
 * {@code SMALLRYE_JWT_SIGN_KEY_LOCATION}, else the zero-setup key under {@code FLOTILLA_DATA_DIR}; issuer
 * {@code MP_JWT_VERIFY_ISSUER} or "flotilla". {@code flotilla token} prints one (io.flotilla.cli parses its
 * arguments), and the other verbs sign themselves a short-lived one when no token is given. Never starts the service.
 */
public final class TokenCommand {

    private TokenCommand() {
    }

    /** Exit code: 0 printed a token, 2 no key. */
    public static int print(Role role, Duration ttl, String subject, Function<String, String> settings, Path dataDir,
                            PrintStream out, PrintStream err) {
        Optional<Path> key = readableKey(settings, dataDir);
        if (key.isEmpty()) {
            err.println("token: no signing key: set SMALLRYE_JWT_SIGN_KEY_LOCATION to a PEM private key file"
                    + (settings.apply("SMALLRYE_JWT_SIGN_KEY_LOCATION") == null
                    ? " (or start the service once without DB_HOST to create " + keyLocation(settings, dataDir) + ")" : ""));
            return 2;
        }
        out.println(sign(key.get(), role, ttl, subject, settings));
        return 0;
    }

    /** Where the signing key is looked for: {@code SMALLRYE_JWT_SIGN_KEY_LOCATION}, else {@code dataDir/keys}. */
    public static Path keyLocation(Function<String, String> settings, Path dataDir) {
        String location = settings.apply("SMALLRYE_JWT_SIGN_KEY_LOCATION");
        return location != null ? Path.of(location.replaceFirst("^file:", ""))
                : dataDir.resolve("keys").resolve(Tokens.PRIVATE_KEY_FILE);
    }

    /** The signing key, when it is there and this process may read it. */
    public static Optional<Path> readableKey(Function<String, String> settings, Path dataDir) {
        Path key = keyLocation(settings, dataDir);
        return Files.isRegularFile(key) && Files.isReadable(key) ? Optional.of(key) : Optional.empty();
    }

    /** A token signed with {@code key}, issued as the service expects ({@code MP_JWT_VERIFY_ISSUER}). */
    public static String sign(Path key, Role role, Duration ttl, String subject, Function<String, String> settings) {
        String issuer = settings.apply("MP_JWT_VERIFY_ISSUER");
        return Tokens.sign(Tokens.readPrivateKey(key), issuer == null ? Tokens.DEFAULT_ISSUER : issuer, subject, role, ttl);
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT2H}). */
    public static Duration duration(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration needs a value, like 30m, 1h, 7d or PT2H");
        }
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("'" + text + "' needs a unit: s, m, h or d");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 30m, 1h, 7d or PT2H");
        }
    }
}
