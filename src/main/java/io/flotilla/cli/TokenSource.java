package io.flotilla.cli;

import io.flotilla.security.Role;
import io.flotilla.security.TokenCommand;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bearer token a verb sends: the one given ({@code --token}, else {@code FLOTILLA_TOKEN}), else one the command
 * signs itself with the service's key when this process can read it ({@code SMALLRYE_JWT_SIGN_KEY_LOCATION}, else
 * the zero-setup key under {@code FLOTILLA_DATA_DIR}: {@link TokenCommand}'s lookup), for the role the verb needs and
 * valid {@link #SIGNED_TTL}. A local user and a Kubernetes Job with the mounted key need no token plumbing. A signed
 * token is signed again once half its life has gone, so following a long rollout never runs into its expiry.
 */
final class TokenSource {

    static final Duration SIGNED_TTL = Duration.ofMinutes(10);
    static final String SUBJECT = "flotilla-cli";

    private final String given;
    private final String origin;
    private final Path key;
    private final Role role;
    private final Function<String, String> settings;
    private String signed;
    private long signedAt;

    private TokenSource(String given, String origin, Path key, Role role, Function<String, String> settings) {
        this.given = given;
        this.origin = origin;
        this.key = key;
        this.role = role;
        this.settings = settings;
    }

    static TokenSource resolve(String flag, Function<String, String> settings, Path dataDir, Role role) {
        if (flag != null && !flag.isBlank()) {
            return new TokenSource(flag.trim(), "--token", null, role, settings);
        }
        String env = settings.apply("FLOTILLA_TOKEN");
        if (env != null) {
            return new TokenSource(env.trim(), "FLOTILLA_TOKEN", null, role, settings);
        }
        Optional<Path> key = TokenCommand.readableKey(settings, dataDir);
        return key.map(k -> new TokenSource(null, "signed with " + k, k, role, settings))
                .orElseGet(() -> new TokenSource(null, null, null, role, settings));
    }

    /** The token to send now, or empty when there is none. */
    synchronized Optional<String> current() {
        if (given != null) {
            return Optional.of(given);
        }
        if (key == null) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        if (signed == null || now - signedAt > SIGNED_TTL.toNanos() / 2) {
            signed = TokenCommand.sign(key, role, SIGNED_TTL, SUBJECT, settings);
            signedAt = now;
        }
        return Optional.of(signed);
    }

    boolean none() {
        return given == null && key == null;
    }

    /** Where the token comes from, for messages: "--token", "FLOTILLA_TOKEN", "signed with /path/key.pem". */
    String origin() {
        return origin;
    }

    Role role() {
        return role;
    }
}
