package io.flotilla.move;

import io.flotilla.sql.TenantExecutor;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Every statement a move sends to a tenant server, in one place beside the executor's. Names that reach SQL are
 * schema and table names read from the catalog (quoted here) and the replication name, made from the move's id;
 * values travel as parameters, except in CREATE SUBSCRIPTION's connection string, which PostgreSQL takes only as a
 * literal (quoted twice: libpq's rules inside, SQL's outside).
 */
public final class ReplicationSql {

    /** Every replication object a move makes starts so: the sweep finds orphans by it. */
    public static final String PREFIX = "flotilla_move_";

    private ReplicationSql() {
    }

    public static String replicationName(UUID moveId) {
        return PREFIX + moveId.toString().replace("-", "");
    }

    static String q(String identifier) {
        return TenantExecutor.quoteIdent(identifier);
    }

    static String qualified(String schema, String table) {
        return q(schema) + "." + q(table);
    }

    /** wal_level, and whether the connected role may create replication slots (REPLICATION or superuser). */
    static final String SOURCE_ABILITY = "SELECT current_setting('wal_level'),"
            + " (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)";

    /** Whether the connected role may create a subscription (superuser; pg_create_subscription from PostgreSQL 16). */
    static final String TARGET_ABILITY = "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            + " OR (current_setting('server_version_num')::int >= 160000"
            + "     AND pg_has_role(current_user, 'pg_create_subscription', 'MEMBER'))";

    /**
     * The schema's tables (not partitions' children), with whether each has a primary key or a replica-identity index,
     * and its size; then its sequences and materialized views, by kind.
     */
    static final String RELATIONS = "SELECT c.relname::text, c.relkind::text,"
            + " (c.relkind IN ('r', 'p') AND (c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_index x"
            + "   WHERE x.indrelid = c.oid AND (x.indisprimary OR x.indisreplident)))) AS identified,"
            + " CASE WHEN c.relkind IN ('r', 'p', 'm') THEN pg_total_relation_size(c.oid) ELSE 0 END AS bytes"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'S', 'm') AND NOT c.relispartition"
            + " ORDER BY c.relname";

    /** Tables in foreign-key order (referenced before referencing), for a copy: parents' rows first. */
    static final String FK_EDGES = "SELECT c.relname::text, r.relname::text FROM pg_constraint k"
            + " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE k.contype = 'f' AND n.nspname = $1 AND r.relnamespace = n.oid AND c.oid <> r.oid";

    /** The columns a copy writes: all but generated ones, in order. */
    static final String INSERTABLE_COLUMNS = "SELECT c.relname::text, array_agg(a.attname::text ORDER BY a.attnum)"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND a.attgenerated = '' GROUP BY c.relname";

    static String replicaIdentity(String schema, String table, boolean full) {
        return "ALTER TABLE " + qualified(schema, table) + " REPLICA IDENTITY " + (full ? "FULL" : "DEFAULT");
    }

    static String createPublication(String name, String schema, List<String> tables) {
        return "CREATE PUBLICATION " + q(name) + (tables.isEmpty() ? ""
                : " FOR TABLE " + tables.stream().map(t -> qualified(schema, t)).collect(Collectors.joining(", ")));
    }

    static String dropPublication(String name) {
        return "DROP PUBLICATION IF EXISTS " + q(name);
    }

    /** The subscription with its initial copy; its slot (same name) is made on the source as it is created. */
    static String createSubscription(String name, String conninfo) {
        return "CREATE SUBSCRIPTION " + q(name) + " CONNECTION " + literal(conninfo) + " PUBLICATION " + q(name)
                + " WITH (copy_data = true, create_slot = true, slot_name = " + literal(name) + ")";
    }

    /**
     * Dropping a subscription: disabled and detached from its slot first, so that it never needs the source (which
     * may be gone); the slot is dropped on the source separately ({@link #DROP_SLOT}).
     */
    static List<String> dropSubscription(String name) {
        return List.of("ALTER SUBSCRIPTION " + q(name) + " DISABLE",
                "ALTER SUBSCRIPTION " + q(name) + " SET (slot_name = NONE)",
                "DROP SUBSCRIPTION IF EXISTS " + q(name));
    }

    static final String SUBSCRIPTION_EXISTS = "SELECT 1 FROM pg_subscription WHERE subname = $1";

    /** Drops the slot if it exists and is not in use (an active one is left for the next try). */
    static final String DROP_SLOT = "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            + " WHERE slot_name = $1 AND NOT active";

    static final String SLOT_ACTIVE = "SELECT active FROM pg_replication_slots WHERE slot_name = $1";

    /** The tables of a subscription not yet synchronised (initial copy still running). */
    static final String UNSYNCED = "SELECT count(*) FILTER (WHERE r.srsubstate NOT IN ('r', 's')), count(*)"
            + " FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = $1";

    /** How far the target has confirmed, and how many bytes of WAL the source has beyond it. */
    static final String LAG = "SELECT confirmed_flush_lsn::text, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
            + " FROM pg_replication_slots WHERE slot_name = $1";

    static final String CURRENT_LSN = "SELECT pg_current_wal_lsn()::text";

    static final String CONFIRMED_PAST = "SELECT confirmed_flush_lsn >= $2::pg_lsn FROM pg_replication_slots"
            + " WHERE slot_name = $1";

    /** What a subscription's initial copy has written so far on the target: rows inserted and the schema's size. */
    static final String TARGET_PROGRESS = "SELECT coalesce(sum(s.n_tup_ins), 0)::bigint,"
            + " coalesce(sum(pg_total_relation_size(s.relid)), 0)::bigint FROM pg_stat_user_tables s WHERE s.schemaname = $1";

    /** Blocks writes on every table while reads go on; one statement, so all or none are locked. */
    static String lockForWrites(String schema, List<String> tables) {
        return "LOCK TABLE " + tables.stream().map(t -> qualified(schema, t)).collect(Collectors.joining(", "))
                + " IN EXCLUSIVE MODE";
    }

    /** Row counts of every table in one query, table name then count. */
    static String counts(String schema, List<String> tables) {
        return tables.stream().map(t -> "SELECT " + literal(t) + "::text, count(*) FROM ONLY " + qualified(schema, t))
                .collect(Collectors.joining(" UNION ALL "));
    }

    /** Every sequence's position in one query: name, last_value, is_called. */
    static String sequences(String schema, List<String> sequences) {
        return sequences.stream().map(s -> "SELECT " + literal(s) + "::text, last_value, is_called FROM "
                + qualified(schema, s)).collect(Collectors.joining(" UNION ALL "));
    }

    /** Sets one sequence on the target: $1 its qualified name, $2 last_value, $3 is_called. */
    static final String SET_SEQUENCE = "SELECT setval($1::regclass, $2, $3)";

    static String refresh(String schema, String view) {
        return "REFRESH MATERIALIZED VIEW " + qualified(schema, view);
    }

    static String truncate(String schema, List<String> tables) {
        return "TRUNCATE " + tables.stream().map(t -> qualified(schema, t)).collect(Collectors.joining(", "));
    }

    static String renameSchema(String from, String to) {
        return "ALTER SCHEMA " + q(from) + " RENAME TO " + q(to);
    }

    static String dropSchema(String schema) {
        return "DROP SCHEMA IF EXISTS " + q(schema) + " CASCADE";
    }

    /** A copy's read: each row in its text form, which casts back to the row type on the target. */
    static String readRows(String schema, String table) {
        return "SELECT t::text FROM ONLY " + qualified(schema, table) + " t";
    }

    /** A copy's write of a batch of rows in text form ($1 text[]): generated columns left to the target. */
    static String writeRows(String schema, String table, List<String> columns) {
        String cols = columns.stream().map(ReplicationSql::q).collect(Collectors.joining(", "));
        String fromRecord = columns.stream().map(c -> "(r.x)." + q(c)).collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified(schema, table) + " (" + cols + ") OVERRIDING SYSTEM VALUE SELECT " + fromRecord
                + " FROM (SELECT v::" + qualified(schema, table) + " AS x FROM unnest($1::text[]) v) r";
    }

    /** libpq connection string from registered parts; each value quoted as libpq quotes ('…' with \' and \\). */
    static String conninfo(String host, int port, String database, String user, String password, String sslmode) {
        return "host=" + libpq(host) + " port=" + port + " dbname=" + libpq(database) + " user=" + libpq(user)
                + (password == null ? "" : " password=" + libpq(password)) + " sslmode=" + libpq(sslmode)
                + " application_name=flotilla_move";
    }

    private static String libpq(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A SQL string literal (standard_conforming_strings: only quotes are doubled). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
