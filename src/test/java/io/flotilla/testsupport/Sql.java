package io.flotilla.testsupport;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Plain JDBC look-ups for assertions: what is really in the database, not what the API says. */
public final class Sql {

    private Sql() {
    }

    public static long count(DataSource ds, String sql, Object... params) {
        List<String> rows = column(ds, sql, params);
        return Long.parseLong(rows.get(0));
    }

    /** First column of every row, as text. */
    public static List<String> column(DataSource ds, String sql, Object... params) {
        try (Connection c = ds.getConnection()) {
            return column(c, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** First column of every row, as text, on the caller's connection (another server's, say). */
    public static List<String> column(Connection c, String sql, Object... params) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** {@code n} companies, each with an empty schema named {@code prefix} and a unique suffix; their ids. */
    public static List<java.util.UUID> companies(DataSource ds, String prefix, int n) {
        List<java.util.UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String schema = unique(prefix);
            execute(ds, "CREATE SCHEMA " + schema);
            ids.add(java.util.UUID.fromString(column(ds, "INSERT INTO public.companies (company_name, schema_name)"
                    + " VALUES (?, ?) RETURNING id::text", "Co " + schema, schema).get(0)));
        }
        return ids;
    }

    public static void execute(DataSource ds, String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static boolean schemaExists(DataSource ds, String schema) {
        return count(ds, "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema) == 1;
    }

    public static List<String> tables(DataSource ds, String schema) {
        return column(ds, "SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY tablename", schema);
    }

    /** A fresh lower-case identifier, so tests never collide with each other or with earlier runs. */
    public static String unique(String prefix) {
        return prefix + "_" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xfff));
    }
}
