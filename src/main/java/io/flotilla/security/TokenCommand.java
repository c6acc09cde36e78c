package io.flotilla.security;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * {@code java -jar quarkus-run.jar token --role admin --ttl 1h [--subject ci]}: prints a signed token on stdout,
 * with the same key settings as the service ({@code SMALLRYE_JWT_SIGN_KEY_LOCATION}, issuer
 * {@code MP_JWT_VERIFY_ISSUER} or "flotilla"); with neither, the zero-setup key under {@code FLOTILLA_DATA_DIR}.
 * It does not start the service.
 */
public final class TokenCommand {

    private TokenCommand() {
    }

    /** Exit code: 0 printed a token, 2 bad arguments or no key. */
    public static int run(String[] args, Function<String, String> settings, Path dataDir, PrintStream out, PrintStream err) {
        Role role = Role.VIEWER;
        Duration ttl = Duration.ofHours(1);
        String subject = "flotilla-cli";
        try {
            for (int i = 1; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--role" -> role = Role.parse(value);
                    case "--ttl" -> ttl = duration(value);
                    case "--subject" -> subject = require(value, "--subject");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
        } catch (IllegalArgumentException e) {
            err.println("token: " + e.getMessage());
            err.println("usage: token [--role viewer|operator|admin] [--ttl 1h|30m|7d|PT2H] [--subject NAME]");
            return 2;
        }
        String location = settings.apply("SMALLRYE_JWT_SIGN_KEY_LOCATION");
        Path key = location != null ? Path.of(location.replaceFirst("^file:", "")) : dataDir.resolve("keys").resolve(Tokens.PRIVATE_KEY_FILE);
        if (!key.toFile().isFile()) {
            err.println("token: no signing key: set SMALLRYE_JWT_SIGN_KEY_LOCATION to a PEM private key file"
                    + (location == null ? " (or start the service once without DB_HOST to create " + key + ")" : ""));
            return 2;
        }
        String issuer = settings.apply("MP_JWT_VERIFY_ISSUER");
        out.println(Tokens.sign(Tokens.readPrivateKey(key), issuer == null ? Tokens.DEFAULT_ISSUER : issuer, subject, role, ttl));
        return 0;
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT2H}). */
    static Duration duration(String text) {
        String t = require(text, "--ttl").trim();
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
                default -> throw new IllegalArgumentException("--ttl '" + text + "' needs a unit: s, m, h or d");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--ttl '" + text + "' is not a duration like 30m, 1h, 7d or PT2H");
        }
    }

    private static String require(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
