package io.flotilla.it;

import io.flotilla.config.EmbeddedDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A fresh database for one integration test: on the server named by {@code DB_HOST} (what CI sets) when there is
 * one, else on an embedded PostgreSQL owned by the test. {@link #restartable()} always uses an embedded server, so a
 * test may stop and restart it without touching the machine's PostgreSQL.
 */
public final class ItDatabase implements AutoCloseable {

    private final String host;
    private final int port;
    private final String name;
    private final String user;
    private final String password;
    /** Set when the server is the test's own; null on an external server. */
    private final Path embeddedHome;
    private final boolean keepData;
    private volatile EmbeddedDatabase embedded;

    private ItDatabase(String host, int port, String user, String password, Path embeddedHome, boolean keepData,
                       EmbeddedDatabase embedded) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.embeddedHome = embeddedHome;
        this.keepData = keepData;
        this.embedded = embedded;
        this.name = "flotilla_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** The CI server when DB_HOST is set, else an embedded one. */
    public static ItDatabase create() {
        String host = env("DB_HOST");
        if (host != null) {
            String port = env("DB_PORT");
            String user = env("DB_USER");
            String password = env("DB_PASSWORD");
            ItDatabase db = new ItDatabase(host, port == null ? 5432 : Integer.parseInt(port),
                    user == null ? "postgres" : user, password == null ? "" : password, null, false, null);
            db.createDatabase();
            return db;
        }
        return embedded(false);
    }

    /** Always a test-owned embedded server, whose data survives {@link #restartServer(Duration)}. */
    public static ItDatabase restartable() {
        return embedded(true);
    }

    private static ItDatabase embedded(boolean keepData) {
        Path home;
        try {
            home = Files.createTempDirectory("flotilla-it-pg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // keepData=false makes stop() delete the data directory, so a restartable server must start with true
        // (the directory is new, so initdb runs anyway).
        EmbeddedDatabase pg = EmbeddedDatabase.start(home, 0, keepData);
        ItDatabase db = new ItDatabase("127.0.0.1", pg.port(), "postgres", "", home, keepData, pg);
        db.createDatabase();
        return db;
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    private void createDatabase() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + host + ":" + port, e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public boolean embedded() {
        return embeddedHome != null;
    }

    /** The DB_* variables a service process needs to use this database. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_HOST", host);
        env.put("DB_PORT", Integer.toString(port));
        env.put("DB_NAME", name);
        env.put("DB_USER", user);
        env.put("DB_PASSWORD", password);
        return env;
    }

    public Connection connect() throws SQLException {
        return connect(name);
    }

    private Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "flotilla-it");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, props);
    }

    public void execute(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Rows as column → value maps, in column order. */
    public List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row. */
    public <T> List<T> column(String sql, Class<T> type, Object... params) {
        List<T> values = new ArrayList<>();
        for (Map<String, Object> row : query(sql, params)) {
            values.add(type.cast(row.values().iterator().next()));
        }
        return values;
    }

    /** A single number (count(*) and the like). */
    public long queryLong(String sql, Object... params) {
        List<Map<String, Object>> rows = query(sql, params);
        Object value = rows.get(0).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof UUID[] ids) {
                ps.setArray(i + 1, c.createArrayOf("uuid", ids));
            } else if (p instanceof String[] strings) {
                ps.setArray(i + 1, c.createArrayOf("text", strings));
            } else {
                ps.setObject(i + 1, p);
            }
        }
        return ps;
    }

    /**
     * Adds companies {@code prefix1..prefixN} (schema names {@code prefix<i>}, created empty) directly in the
     * database: every migration is pending for them. Needs the service's tables, i.e. a service started once.
     */
    public List<UUID> createFleet(String prefix, int from, int to) {
        List<UUID> ids = column("INSERT INTO public.companies (company_name, schema_name)"
                + " SELECT 'Co ' || ? || g, ? || g FROM generate_series(?, ?) g ORDER BY g RETURNING id",
                UUID.class, prefix, prefix, from, to);
        StringBuilder ddl = new StringBuilder();
        for (int g = from; g <= to; g++) {
            ddl.append("CREATE SCHEMA ").append(prefix).append(g).append(";\n");
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(ddl.toString());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the fleet's schemas: " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * Best effort, to make a crash land mid-step: waits (checking every few ms, as the moment is short) until the
     * ledger shows a step 'running' — only non-transactional steps (version 7, CREATE INDEX CONCURRENTLY) write
     * such a row before their SQL — and says whether it saw one before {@code timeout}.
     */
    public boolean awaitStepRunning(Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM public.migration_ledger"
                     + " WHERE status = 'running')")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
                Thread.sleep(2);
            }
        }
        return false;
    }

    /**
     * Stops the embedded server (fast shutdown: every client is disconnected), waits {@code pause}, and starts it
     * again on the same port and data directory.
     */
    public void restartServer(Duration pause) throws InterruptedException {
        if (embeddedHome == null || !keepData) {
            throw new IllegalStateException("only a restartable() embedded server can be restarted");
        }
        embedded.stop();
        Thread.sleep(pause.toMillis());
        embedded = EmbeddedDatabase.start(embeddedHome, port, true);
    }

    /** Stops the embedded server only (no restart). */
    public void stopServer() {
        if (embedded != null) {
            embedded.stop();
        }
    }

    @Override
    public void close() {
        if (embeddedHome == null) {
            try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("[it] could not drop database " + name + ": " + e.getMessage());
            }
            return;
        }
        try {
            embedded.stop();
        } finally {
            deleteRecursively(embeddedHome);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: it is a temporary directory
                }
            });
        } catch (IOException e) {
            System.err.println("[it] could not delete " + dir + ": " + e.getMessage());
        }
    }
}
