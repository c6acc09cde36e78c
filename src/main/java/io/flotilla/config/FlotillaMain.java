package io.flotilla.config;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.nio.file.Path;

/**
 * Entry point. With no {@code DB_HOST} configured it first starts an embedded PostgreSQL (data in
 * {@code FLOTILLA_DATA_DIR}, default {@code ~/.flotilla}) and points the datasource at it, so that
 * {@code java -jar} works on a machine with nothing installed.
 */
@QuarkusMain
public class FlotillaMain {

    public static void main(String... args) {
        if (setting("DB_HOST") == null && !"false".equalsIgnoreCase(setting("FLOTILLA_EMBEDDED_DB"))) {
            String dir = setting("FLOTILLA_DATA_DIR");
            Path home = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".flotilla");
            String port = setting("FLOTILLA_EMBEDDED_DB_PORT");
            EmbeddedDatabase db = EmbeddedDatabase.start(home.toAbsolutePath(), port == null ? 0 : Integer.parseInt(port), true);
            Runtime.getRuntime().addShutdownHook(new Thread(db::stop, "embedded-postgres-stop"));
            // System properties are a config source: ${DB_HOST} and friends in application.properties resolve to them.
            System.setProperty("DB_HOST", "127.0.0.1");
            System.setProperty("DB_PORT", Integer.toString(db.port()));
            System.setProperty("DB_NAME", "postgres");
            System.setProperty("DB_USER", "postgres");
        }
        Quarkus.run(args);
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? null : value;
    }
}
