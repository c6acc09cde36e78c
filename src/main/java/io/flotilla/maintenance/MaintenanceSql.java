package io.flotilla.maintenance;

import io.flotilla.lock.LockPolicy;
import io.flotilla.lock.LockTally;
import io.flotilla.sql.TenantExecutor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

import static io.flotilla.sql.TenantExecutor.quoteIdent;

/** The built-in maintenance jobs' SQL on one tenant schema, run by {@link MaintenanceService} under its lock. */
@ApplicationScoped
public class MaintenanceSql {

    private final TenantExecutor executor;

    public MaintenanceSql(TenantExecutor executor) {
        this.executor = executor;
    }

    /**
     * Refreshes every materialized view of the schema: {@code CONCURRENTLY} (readers are not blocked) when the
     * view has a unique index and has been populated, which PostgreSQL requires; plainly otherwise. Returns what
     * it did, for the record. Each refresh runs in lock-timeout attempts ({@code policy}): a plain one takes an
     * ACCESS EXCLUSIVE lock, which would otherwise queue every reader of the view behind a long query.
     */
    public Uni<String> refreshMaterializedViews(SqlConnection conn, String schema, LockPolicy policy, LockTally tally) {
        return conn.preparedQuery("SELECT m.matviewname, m.ispopulated AND EXISTS (SELECT 1 FROM pg_index i"
                        + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = m.schemaname AND c.relname = m.matviewname AND i.indisunique AND i.indisvalid"
                        + " AND i.indpred IS NULL AND i.indexprs IS NULL)"
                        + " FROM pg_matviews m WHERE m.schemaname = $1 ORDER BY m.matviewname")
                .execute(Tuple.of(schema))
                .flatMap(rows -> {
                    List<String> done = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (var row : rows) {
                        String view = row.getString(0);
                        boolean concurrently = row.getBoolean(1);
                        chain = chain.flatMap(x -> executor.runStatementWithRetries(conn, schema,
                                        "REFRESH MATERIALIZED VIEW " + (concurrently ? "CONCURRENTLY " : "")
                                                + quoteIdent(schema) + "." + quoteIdent(view), policy, tally)
                                .invoke(() -> done.add((concurrently ? "concurrently " : "plain ") + view)));
                    }
                    return chain.map(x -> done.isEmpty() ? "no materialized views" : "refreshed " + String.join(", ", done));
                });
    }

    /**
     * {@code VACUUM (ANALYZE)} of every table of the schema, each sent as a statement of its own: VACUUM refuses to
     * run inside a transaction block, which a multi-statement string would be.
     */
    public Uni<String> vacuumAnalyze(SqlConnection conn, String schema) {
        return conn.preparedQuery("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY c.relname")
                .execute(Tuple.of(schema))
                .flatMap(rows -> {
                    List<String> tables = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (var row : rows) {
                        String table = row.getString(0);
                        chain = chain.flatMap(x -> conn.query("VACUUM (ANALYZE) " + quoteIdent(schema) + "." + quoteIdent(table))
                                .execute().invoke(() -> tables.add(table)).replaceWithVoid());
                    }
                    return chain.map(x -> "vacuumed and analyzed " + tables.size() + " tables");
                });
    }
}
