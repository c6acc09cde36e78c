package io.flotilla.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

/**
 * Refuses to start a service that could not check a single token: an API that silently rejects everyone, or
 * worse, is a misconfiguration to report at once, naming the settings.
 */
@ApplicationScoped
public class KeyGuard {

    private final Config config;

    public KeyGuard(Config config) {
        this.config = config;
    }

    void check(@Observes StartupEvent event) {
        boolean verifyKey = config.getOptionalValue("mp.jwt.verify.publickey.location", String.class).isPresent()
                || config.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
        if (!verifyKey) {
            throw new IllegalStateException("No key to verify API tokens with: set MP_JWT_VERIFY_PUBLICKEY_LOCATION to a PEM"
                    + " public key (and SMALLRYE_JWT_SIGN_KEY_LOCATION to its private key, for the token command), or"
                    + " start without DB_HOST to run on the embedded database with a generated key pair");
        }
    }
}
