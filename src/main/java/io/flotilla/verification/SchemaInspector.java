package io.flotilla.verification;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a schema's shape from the PostgreSQL catalog: one query per schema, whatever the number of tables. The
 * schema name travels as a parameter; nothing here builds SQL from names.
 */
@ApplicationScoped
public class SchemaInspector {

    /**
     * One row per table or materialized view, with its columns, row security, policy count and indexes folded into
     * arrays. Columns and their NOT NULL flags (and indexes and their first columns) come in the same order. An
     * index whose {@code indkey[0]} is 0 leads with an expression, so it has no first column (an empty string).
     */
    private static final String SHAPES = "SELECT c.relname::text AS name, c.relkind::text AS kind,"
            + " c.relrowsecurity AS row_security,"
            + " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies,"
            + " ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
            + "   AND NOT a.attisdropped ORDER BY a.attnum) AS columns,"
            + " ARRAY(SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
            + "   AND NOT a.attisdropped ORDER BY a.attnum) AS not_null,"
            + " ARRAY(SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            + "   WHERE x.indrelid = c.oid ORDER BY i.relname) AS indexes,"
            + " ARRAY(SELECT coalesce(a.attname::text, '') FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            + "   LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]"
            + "   WHERE x.indrelid = c.oid ORDER BY i.relname) AS index_first_columns"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')"
            + " ORDER BY c.relname";

    private static final String RELATIONS = "SELECT c.relname::text, c.relkind::text"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm', 'i', 'I')";

    /** Tables (relkind {@code r} and {@code p}) with their shape, and materialized views by name. */
    public Uni<SchemaSnapshot> inspect(SqlClient client, String schema) {
        return client.preparedQuery(SHAPES).execute(Tuple.of(schema)).map(rows -> {
            List<TableShape> tables = new ArrayList<>();
            List<String> views = new ArrayList<>();
            for (Row row : rows) {
                if ("m".equals(row.getString("kind"))) {
                    views.add(row.getString("name"));
                } else {
                    tables.add(shape(row));
                }
            }
            return new SchemaSnapshot(schema, tables, views);
        });
    }

    /** Just the relations (tables, materialized views, indexes) and their relkind: cheap to ask after every step. */
    public Uni<Map<String, String>> relations(SqlClient client, String schema) {
        return client.preparedQuery(RELATIONS).execute(Tuple.of(schema)).map(rows -> {
            Map<String, String> kinds = new TreeMap<>();
            rows.forEach(row -> kinds.put(row.getString(0), row.getString(1)));
            return kinds;
        });
    }

    private static TableShape shape(Row row) {
        String[] names = row.getArrayOfStrings("columns");
        Boolean[] notNull = row.getArrayOfBooleans("not_null");
        List<TableShape.Column> columns = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            columns.add(new TableShape.Column(names[i], Boolean.TRUE.equals(notNull[i])));
        }
        String[] indexNames = row.getArrayOfStrings("indexes");
        String[] firstColumns = row.getArrayOfStrings("index_first_columns");
        List<TableShape.Index> indexes = new ArrayList<>();
        for (int i = 0; i < indexNames.length; i++) {
            indexes.add(new TableShape.Index(indexNames[i], firstColumns[i].isEmpty() ? null : firstColumns[i]));
        }
        return new TableShape(row.getString("name"), columns, row.getBoolean("row_security"),
                row.getInteger("policies"), indexes);
    }
}
