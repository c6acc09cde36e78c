package io.flotilla.cli;

import io.flotilla.config.EmbeddedDatabase;
import io.flotilla.security.Role;
import io.flotilla.security.Tokens;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point. No arguments (or {@code serve}) start the service; anything else is a {@code flotilla} command-line
 * verb ({@link FlotillaCli}: {@code migrate}, {@code status}, {@code token}, …), which runs and exits without starting
 * it. To start the service, with no {@code DB_HOST}
 * configured it first starts an embedded PostgreSQL (data in {@code FLOTILLA_DATA_DIR}, default
 * {@code ~/.flotilla}; its own output in {@code postgres.log} there) and, unless keys are configured, uses the key
 * pair under {@code FLOTILLA_DATA_DIR/keys} (directory 0700, files 0600), so that {@code java -jar} works on a
 * machine with nothing installed. The start that creates the pair prints an admin token once, for the first API
 * calls; later starts print how to mint one ({@code token --role admin --ttl 1h}). Keys are only ever passed as
 * file locations, never as values, so no key shows on a command line or in a log.
 */
@QuarkusMain
public class FlotillaMain {

    private static final Logger LOG = Logger.getLogger(FlotillaMain.class);
    private static final String MINT_ADMIN_TOKEN = "bin/flotilla token --role admin --ttl 1h";

    public static void main(String... args) {
        Path home = dataDir();
        if (!FlotillaCli.startsService(args)) {
            System.exit(FlotillaCli.run(args, FlotillaMain::setting, home, System.out, System.err));
        }
        if (setting("DB_HOST") == null && !"false".equalsIgnoreCase(setting("FLOTILLA_EMBEDDED_DB"))) {
            String port = setting("FLOTILLA_EMBEDDED_DB_PORT");
            EmbeddedDatabase db = EmbeddedDatabase.start(home, port == null ? 0 : Integer.parseInt(port), true);
            Runtime.getRuntime().addShutdownHook(new Thread(db::stop, "embedded-postgres-stop"));
            // System properties are a config source: ${DB_HOST} and friends in application.properties resolve to them.
            System.setProperty("DB_HOST", "127.0.0.1");
            System.setProperty("DB_PORT", Integer.toString(db.port()));
            System.setProperty("DB_NAME", "postgres");
            System.setProperty("DB_USER", "postgres");
            if (setting("MP_JWT_VERIFY_PUBLICKEY_LOCATION") == null) {
                zeroSetupKeys(home.resolve("keys"));
            }
        }
        Quarkus.run(args);
    }

    /** A key pair kept with the data; the admin token is printed by the start that makes the pair, and only then. */
    private static void zeroSetupKeys(Path keys) {
        boolean created = Tokens.ensureKeyPair(keys);
        Path privateKey = keys.resolve(Tokens.PRIVATE_KEY_FILE);
        System.setProperty("mp.jwt.verify.publickey.location", keys.resolve(Tokens.PUBLIC_KEY_FILE).toString());
        System.setProperty("SMALLRYE_JWT_SIGN_KEY_LOCATION", privateKey.toString());
        if (created) {
            String token = Tokens.sign(Tokens.readPrivateKey(privateKey), Tokens.DEFAULT_ISSUER, "flotilla-admin",
                    Role.ADMIN, Duration.ofHours(12));
            System.out.println("\nFlotilla admin token (valid 12 h, printed this once; `" + MINT_ADMIN_TOKEN
                    + "` makes more):\n" + token + "\n");
        } else {
            LOG.infof("API keys in %s (the admin token was printed when they were made); mint one with: %s", keys,
                    MINT_ADMIN_TOKEN);
        }
    }

    private static Path dataDir() {
        String dir = setting("FLOTILLA_DATA_DIR");
        return (dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".flotilla")).toAbsolutePath();
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? null : value;
    }
}
