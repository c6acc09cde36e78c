package io.flotilla.monitoring;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.flotilla.sql.TenantDatabase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Reads sizes and statistics from PostgreSQL's catalogs, one query per call however many tenants, on the server the
 * tenants live on (another server's companies are read from home first: two queries). Tenants are the schemas of
 * non-deleted rows of {@code public.companies}, joined by name: no tenant SQL is built, so schema names only ever
 * travel as values.
 * <p>
 * The size functions take each relation's ACCESS SHARE lock for a moment and let it go at once, so they never hold
 * up a migration; a relation a migration holds ACCESS EXCLUSIVE makes the query wait for that step to commit.
 */
@ApplicationScoped
public class MonitoringRepository {

    /**
     * Whose schemas a query reads, as the FROM item {@code co(id, company_name, schema_name)}: on home, its live
     * companies joined in the query; on another server (which has no companies table), that server's live companies
     * read from home first and passed as three arrays, parameters {@code $first..$first+2}.
     */
    record Tenants(TenantDatabase database, List<UUID> ids, List<String> names, List<String> schemas) {

        static Tenants home(TenantDatabase home) {
            return new Tenants(home, null, null, null);
        }

        String from(int first) {
            return database.home()
                    ? "(SELECT id, company_name, schema_name FROM public.companies"
                    + " WHERE deleted_at IS NULL AND server = 'home') co"
                    : "unnest($" + first + "::uuid[], $" + (first + 1) + "::text[], $" + (first + 2) + "::text[])"
                    + " AS co(id, company_name, schema_name)";
        }

        Tuple append(Tuple params) {
            return database.home() ? params : params.addArrayOfUUID(ids.toArray(UUID[]::new))
                    .addArrayOfString(names.toArray(String[]::new)).addArrayOfString(schemas.toArray(String[]::new));
        }

        /** Tables and materialized views (partitioned parents have no storage; partitions are 'r'). */
        String relations(int first) {
            return " FROM " + from(first) + " JOIN pg_namespace n ON n.nspname = co.schema_name"
                    + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm')";
        }

        String indexes(int first) {
            return " FROM " + from(first) + " JOIN pg_stat_user_indexes s ON s.schemaname = co.schema_name"
                    + " JOIN pg_index i ON i.indexrelid = s.indexrelid";
        }
    }

    /** Unique, primary-key and exclusion indexes enforce constraints: unscanned, they still do their job. */
    private static final String NEVER_USED =
            "(s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion)";

    /** Sessions of applications on this database; background workers and other databases are not ours to watch. */
    private static final String CLIENT_SESSIONS =
            " FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'";

    private final Pool pool;
    private final TenantDatabase home;

    public MonitoringRepository(Pool pool, TenantDatabase home) {
        this.pool = pool;
        this.home = home;
    }

    /** Home's tenants, read in the query itself. */
    public Tenants home() {
        return Tenants.home(home);
    }

    /** The live companies of a server other than home (optionally one), read from home to query that server with. */
    public Uni<Tenants> tenantsOn(TenantDatabase database, UUID companyId) {
        if (database.home()) {
            return Uni.createFrom().item(Tenants.home(database));
        }
        return pool.preparedQuery("SELECT id, company_name, schema_name FROM public.companies"
                        + " WHERE deleted_at IS NULL AND server = $1 AND ($2::uuid IS NULL OR id = $2)")
                .execute(Tuple.of(database.name(), companyId))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    List<String> names = new ArrayList<>();
                    List<String> schemas = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getUUID(0));
                        names.add(row.getString(1));
                        schemas.add(row.getString(2));
                    }
                    return new Tenants(database, ids, names, schemas);
                });
    }

    /**
     * Tenant tables and materialized views of the given tenants' server, largest first; null {@code companyId}
     * means every company.
     */
    public Uni<MonitoringPage<TableSize>> tables(Tenants tenants, UUID companyId, int page, int size) {
        // A relation dropped while we read it has no size (null): count it as empty rather than fail.
        String rows = "SELECT co.id AS company_id, co.company_name, co.schema_name, c.relname AS table_name,"
                + " c.relkind = 'm' AS materialized,"
                + " coalesce(pg_total_relation_size(c.oid), 0) AS total_bytes,"
                + " coalesce(pg_relation_size(c.oid), 0) AS table_bytes,"
                + " coalesce(pg_indexes_size(c.oid), 0) AS index_bytes"
                + tenants.relations(4) + " WHERE ($1::uuid IS NULL OR co.id = $1)";
        return page(tenants, rows, "total_bytes DESC, schema_name, table_name", Tuple.of(companyId), page, size,
                row -> new TableSize(row.getUUID("company_id"), row.getString("company_name"),
                        row.getString("schema_name"), row.getString("table_name"),
                        row.getBoolean("materialized") ? TableSize.Kind.MATERIALIZED_VIEW : TableSize.Kind.TABLE,
                        row.getLong("total_bytes"), row.getLong("table_bytes"), row.getLong("index_bytes")));
    }

    /** Tenant indexes with their scan counters, largest first; {@code unusedOnly} keeps the never-used ones. */
    public Uni<MonitoringPage<IndexUsage>> indexes(Tenants tenants, UUID companyId, boolean unusedOnly, int page,
                                                   int size) {
        String rows = "SELECT co.id AS company_id, co.company_name, co.schema_name, s.relname AS table_name,"
                + " s.indexrelname AS index_name, s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,"
                + " coalesce(pg_relation_size(s.indexrelid), 0) AS size_bytes,"
                + " i.indisunique AS is_unique, i.indisprimary AS is_primary, " + NEVER_USED + " AS never_used"
                + tenants.indexes(5) + " WHERE ($1::uuid IS NULL OR co.id = $1) AND (NOT $2 OR " + NEVER_USED + ")";
        return page(tenants, rows, "size_bytes DESC, schema_name, table_name, index_name", Tuple.of(companyId, unusedOnly),
                page, size,
                row -> new IndexUsage(row.getUUID("company_id"), row.getString("company_name"),
                        row.getString("schema_name"), row.getString("table_name"), row.getString("index_name"),
                        row.getLong("idx_scan"), row.getLong("idx_tup_read"), row.getLong("idx_tup_fetch"),
                        row.getLong("size_bytes"), row.getBoolean("is_unique"), row.getBoolean("is_primary"),
                        row.getBoolean("never_used")));
    }

    /**
     * Client sessions on the given server's database per state and application name, with the oldest transaction
     * and query of each group.
     */
    public Uni<ConnectionsView> connections(TenantDatabase database) {
        // clock_timestamp(), not now(): a session may start a query after this transaction did.
        return database.pool().query("SELECT state, application_name, count(*) AS connections,"
                        + " count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting_on_lock,"
                        + " min(xact_start) AS oldest_xact_start,"
                        + " extract(epoch FROM clock_timestamp() - min(xact_start))::float8 AS oldest_xact_seconds,"
                        + " min(query_start) AS oldest_query_start,"
                        + " extract(epoch FROM clock_timestamp() - min(query_start))::float8 AS oldest_query_seconds,"
                        + " current_setting('max_connections')::int AS max_connections"
                        + CLIENT_SESSIONS
                        + " GROUP BY state, application_name ORDER BY count(*) DESC, state, application_name")
                .execute()
                .map(rows -> {
                    List<ConnectionsView.Group> groups = new ArrayList<>();
                    long total = 0;
                    int max = 0;
                    for (Row row : rows) {
                        groups.add(new ConnectionsView.Group(row.getString("state"), row.getString("application_name"),
                                row.getLong("connections"), row.getLong("waiting_on_lock"),
                                row.getOffsetDateTime("oldest_xact_start"), row.getDouble("oldest_xact_seconds"),
                                row.getOffsetDateTime("oldest_query_start"), row.getDouble("oldest_query_seconds")));
                        total += row.getLong("connections");
                        max = row.getInteger("max_connections");
                    }
                    return new ConnectionsView(max, total, groups);
                });
    }

    /**
     * Everything the size and session gauges show (home's database), in one query whose cost is one scan of
     * {@code pg_class}, whatever the number of tenants. Sizes come from the statistics ({@code relpages} of tables,
     * materialized views, their indexes and TOAST tables, times the block size), not from
     * {@code pg_total_relation_size}, which stats every relation's files: at 3,200 schemas and 115k relations that
     * was seconds of database time a minute, growing with the fleet. The price is staleness: {@code relpages} is
     * what the last VACUUM, ANALYZE or CREATE INDEX saw (autovacuum, and the weekly {@code VACUUM ANALYZE}
     * maintenance job). The exact sizes stay with {@link #tables}, per request.
     * <p>
     * The per-schema sums are taken over all of {@code pg_class} first and joined to the tenants after: joined the
     * other way, the planner (whose estimates for the catalogs are poor) walks {@code pg_class} once per schema.
     */
    public Uni<MonitoringSnapshot> snapshot() {
        Tenants tenants = home();
        return pool.query("WITH rel AS MATERIALIZED (SELECT c.relnamespace AS nsp,"
                        + "   sum(c.relpages::int8 + coalesce(t.relpages, 0)) AS pages,"
                        + "   count(*) FILTER (WHERE c.relkind = 'i' AND NOT i.indisunique AND NOT i.indisprimary"
                        + "     AND NOT i.indisexclusion AND pg_stat_get_numscans(c.oid) = 0) AS unused"
                        + "   FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid"
                        + "   LEFT JOIN pg_index i ON i.indexrelid = c.oid"
                        + "   WHERE c.relkind IN ('r', 'm', 'i') GROUP BY c.relnamespace),"
                        + " schemas AS (SELECT rel.pages * current_setting('block_size')::int8 AS bytes, rel.unused"
                        + "   FROM " + tenants.from(1) + " JOIN pg_namespace n ON n.nspname = co.schema_name"
                        + "   JOIN rel ON rel.nsp = n.oid)"
                        + " SELECT coalesce((SELECT sum(bytes) FROM schemas), 0)::int8 AS tenant_bytes,"
                        + " coalesce((SELECT max(bytes) FROM schemas), 0)::int8 AS largest_bytes,"
                        + " coalesce((SELECT sum(unused) FROM schemas), 0)::int8 AS unused_indexes,"
                        + " (SELECT coalesce(json_object_agg(state, n), '{}'::json) FROM"
                        + "   (SELECT coalesce(state, '') AS state, count(*) AS n" + CLIENT_SESSIONS
                        + "    GROUP BY 1) a) AS connections,"
                        // Scheduled rollouts waiting for their startAt, and those whose startAt passed a minute ago
                        // without a start (no replica's trigger fired: what an operator must hear about).
                        + " (SELECT count(*) FROM public.rollouts WHERE state = 'scheduled') AS scheduled,"
                        + " (SELECT count(*) FROM public.rollouts WHERE state = 'scheduled'"
                        + "   AND start_at < now() - interval '1 minute') AS overdue")
                .execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    Map<ConnectionState, Long> connections = new EnumMap<>(ConnectionState.class);
                    for (ConnectionState state : ConnectionState.values()) {
                        connections.put(state, 0L);
                    }
                    JsonObject byState = row.getJsonObject("connections");
                    byState.forEach(e -> connections.merge(ConnectionState.of(e.getKey()),
                            ((Number) e.getValue()).longValue(), Long::sum));
                    return new MonitoringSnapshot(row.getLong("tenant_bytes"), row.getLong("largest_bytes"),
                            row.getLong("unused_indexes"), connections, row.getLong("scheduled"),
                            row.getLong("overdue"));
                });
    }

    /**
     * One round trip for a page and its total. The rows are computed once (a CTE read twice is materialized); the
     * total is counted apart from the page so that a page past the end still answers it, where a window count
     * would have no row to ride on. The page's parameters follow the filter's, then the tenants' arrays.
     */
    private <T> Uni<MonitoringPage<T>> page(Tenants tenants, String rows, String order, Tuple filter, int page,
                                            int size, Function<Row, T> mapper) {
        int limit = filter.size() + 1;
        String sql = "WITH t AS (" + rows + ")"
                + " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM t) n"
                + " LEFT JOIN LATERAL (SELECT * FROM t ORDER BY " + order + " LIMIT $" + limit + " OFFSET $"
                + (limit + 1) + ") p ON true ORDER BY " + order;
        return tenants.database().pool().preparedQuery(sql)
                .execute(tenants.append(filter.addInteger(size).addLong((long) page * size)))
                .map(result -> toPage(result, page, size, mapper));
    }

    private static <T> MonitoringPage<T> toPage(RowSet<Row> result, int page, int size, Function<Row, T> mapper) {
        List<T> items = new ArrayList<>();
        long total = 0;
        for (Row row : result) {
            total = row.getLong("total");
            if (row.getValue("company_id") != null) { // the lone all-null row of an empty page
                items.add(mapper.apply(row));
            }
        }
        return new MonitoringPage<>(items, page, size, total);
    }
}
