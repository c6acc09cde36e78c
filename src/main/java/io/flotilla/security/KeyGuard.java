package io.flotilla.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Refuses to start a service that could not check a single token: an API that silently rejects everyone, or
 * worse, is a misconfiguration to report at once, naming the settings.
 *
 * <p>{@code mp.jwt.verify.publickey.location} always has a value (application.properties points it at the zero-setup
 * key, so that no build tool generates a key of its own), so what counts is whether the key it names is there.
 */
@ApplicationScoped
public class KeyGuard {

    private static final String CLASSPATH = "classpath:";
    private static final String FILE = "file:";

    private final Config config;

    public KeyGuard(Config config) {
        this.config = config;
    }

    void check(@Observes StartupEvent event) {
        if (setting("mp.jwt.verify.publickey").isPresent()) {
            return;
        }
        Optional<String> location = setting("mp.jwt.verify.publickey.location");
        if (location.isPresent() && exists(location.get())) {
            return;
        }
        throw new IllegalStateException("No key to verify API tokens with: set MP_JWT_VERIFY_PUBLICKEY_LOCATION to a PEM"
                + " public key (and SMALLRYE_JWT_SIGN_KEY_LOCATION to its private key, for the token command), or"
                + " start without DB_HOST to run on the embedded database with a generated key pair"
                + location.map(l -> " (" + l + " does not exist)").orElse(""));
    }

    /** SmallRye JWT reads "NONE" as unset (and `mvn quarkus:run` passes -Dmp.jwt.verify.publickey=NONE). */
    private Optional<String> setting(String name) {
        return config.getOptionalValue(name, String.class).filter(value -> !value.isBlank() && !value.equals("NONE"));
    }

    /** Resolved as SmallRye JWT resolves it: a URL is taken on trust, {@code file:}, {@code classpath:}, else either. */
    static boolean exists(String location) {
        if (location.startsWith("http:") || location.startsWith("https:")) {
            return true;
        }
        if (location.startsWith(CLASSPATH)) {
            return onClasspath(location.substring(CLASSPATH.length()));
        }
        if (location.startsWith(FILE)) {
            return Files.isReadable(Path.of(location.substring(FILE.length())));
        }
        return Files.isReadable(Path.of(location)) || onClasspath(location);
    }

    private static boolean onClasspath(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        return (loader != null ? loader : KeyGuard.class.getClassLoader()).getResource(name) != null;
    }
}
