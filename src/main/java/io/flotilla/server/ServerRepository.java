package io.flotilla.server;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.ledger.CatalogRows;
import io.flotilla.ledger.Shapes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code public.tenant_servers} in the control plane's database; parameterised SQL only. */
@ApplicationScoped
public class ServerRepository {

    private static final String COLUMNS = "name, host, port, database, username, tls_mode, password_env, password_file,"
            + " connection_budget, schema_capacity, state, server_version, extensions, reachable, last_error,"
            + " last_checked_at, created_at, updated_at";

    private final Pool pool;

    public ServerRepository(Pool pool) {
        this.pool = pool;
    }

    /** Every server, home first, then by name. */
    public Uni<List<Server>> all() {
        return pool.query("SELECT " + COLUMNS + " FROM public.tenant_servers ORDER BY name <> 'home', name")
                .execute().map(ServerRepository::servers);
    }

    /** The server, or a null item. */
    public Uni<Server> find(String name) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM public.tenant_servers WHERE name = $1")
                .execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
    }

    /** Inserts a registered server, checked reachable now; null item when the name is taken. */
    public Uni<Server> insert(Server s) {
        return pool.preparedQuery("INSERT INTO public.tenant_servers (name, host, port, database, username, tls_mode,"
                        + " password_env, password_file, connection_budget, schema_capacity, state, server_version,"
                        + " extensions, reachable, last_checked_at)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true, now())"
                        + " ON CONFLICT (name) DO NOTHING RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[]{s.name(), s.host(), s.port(), s.database(), s.user(),
                        s.tlsMode().value(), s.passwordEnv(), s.passwordFile(), s.connectionBudget(), s.schemaCapacity(),
                        s.state().value(), s.version(), s.extensions().toArray(String[]::new)}))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
    }

    /** Changes what a PATCH may change; a null argument keeps the column. Null item when there is no such server. */
    public Uni<Server> update(String name, ServerState state, Integer connectionBudget, Integer schemaCapacity) {
        return pool.preparedQuery("UPDATE public.tenant_servers SET state = coalesce($2, state),"
                        + " connection_budget = coalesce($3, connection_budget),"
                        + " schema_capacity = coalesce($4, schema_capacity), updated_at = now()"
                        + " WHERE name = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(name, state == null ? null : state.value(), connectionBudget, schemaCapacity))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
    }

    /**
     * Records a reachability check: the error (null when reachable) and when. The item is the reachability recorded
     * before (null: never checked), read under the row's lock, so of several replicas checking at once exactly one
     * sees a change.
     */
    public Uni<Boolean> recordCheck(String name, boolean reachable, String error) {
        return pool.preparedQuery("UPDATE public.tenant_servers t SET reachable = $2, last_error = $3,"
                        + " last_checked_at = now() FROM (SELECT name, reachable AS was FROM public.tenant_servers"
                        + " WHERE name = $1 FOR UPDATE) old WHERE t.name = old.name RETURNING old.was")
                .execute(Tuple.of(name, reachable, error))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBoolean("was"));
    }

    /**
     * Companies per server, with pending and failed counted the way {@code ledger.FleetRepository.fleet} counts them:
     * from the companies' shapes (what each has applied, grouped; a fleet has a handful), each compared with the
     * catalog once. One query for every server; servers without companies are absent.
     */
    public Uni<Map<String, ServerCounts>> counts(MigrationCatalog catalog) {
        Tuple params = CatalogRows.params(catalog).addInteger(catalog.migrations().size());
        return Shapes.settle(pool).flatMap(settled -> pool.preparedQuery("WITH " + CatalogRows.CTE + ","
                        + " groups AS (SELECT c.server, c.status, cs.shape, coalesce(cs.failed, false) AS failed,"
                        + "   count(*) AS n FROM public.companies c"
                        + "   LEFT JOIN public.company_shapes cs ON cs.company_id = c.id"
                        + "   WHERE c.deleted_at IS NULL GROUP BY 1, 2, 3, 4),"
                        + " per AS (SELECT sh.shape, count(cat.ord) AS applied_known FROM public.state_shapes sh"
                        + "   CROSS JOIN LATERAL unnest(sh.versions) AS x(version) LEFT JOIN cat ON cat.version = x.version"
                        + "   WHERE sh.shape IN (SELECT shape FROM groups) GROUP BY sh.shape)"
                        + " SELECT g.server, sum(g.n)::int8 AS companies,"
                        + " coalesce(sum(g.n) FILTER (WHERE g.status = 'active' AND coalesce(p.applied_known, 0) < $3), 0)::int8"
                        + " AS pending,"
                        + " coalesce(sum(g.n) FILTER (WHERE g.status = 'active' AND g.failed), 0)::int8 AS failed"
                        + " FROM groups g LEFT JOIN per p ON p.shape = g.shape GROUP BY g.server")
                .execute(params)
                .map(rows -> {
                    Map<String, ServerCounts> counts = new HashMap<>();
                    for (Row r : rows) {
                        counts.put(r.getString("server"), new ServerCounts(r.getLong("companies"),
                                r.getLong("pending"), r.getLong("failed")));
                    }
                    return counts;
                }));
    }

    private static List<Server> servers(RowSet<Row> rows) {
        List<Server> list = new ArrayList<>();
        rows.forEach(r -> list.add(from(r)));
        return list;
    }

    static Server from(Row r) {
        String[] extensions = r.getArrayOfStrings("extensions");
        return new Server(r.getString("name"), r.getString("host"), r.getInteger("port"), r.getString("database"),
                r.getString("username"), TlsMode.from(r.getString("tls_mode")), r.getString("password_env"),
                r.getString("password_file"), r.getInteger("connection_budget"), r.getInteger("schema_capacity"),
                ServerState.from(r.getString("state")), r.getString("server_version"),
                extensions == null ? List.of() : List.copyOf(Arrays.asList(extensions)), r.getBoolean("reachable"),
                r.getString("last_error"), r.getOffsetDateTime("last_checked_at"), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("updated_at"));
    }
}
