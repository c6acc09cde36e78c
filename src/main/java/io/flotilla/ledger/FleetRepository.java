package io.flotilla.ledger;

import io.flotilla.catalog.MigrationCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Fleet-wide views from {@code migration_state} (company × version, kept with every step), or from its grouping
 * by shape ({@code company_shapes} and {@code state_shapes}, kept with it by triggers), joined with the catalog
 * passed in as two arrays: one query each, however many companies.
 */
@ApplicationScoped
public class FleetRepository {

    private final Pool pool;

    public FleetRepository(Pool pool) {
        this.pool = pool;
    }

    /** The whole fleet, with a summary per registered server. */
    public Uni<FleetView> fleet(MigrationCatalog catalog) {
        return fleet(catalog, null);
    }

    /**
     * The fleet, or only the companies on {@code server} (a registered server's name; null for all), with a summary
     * per server (only that one when filtered): its active companies counted as the fleet counts them, and its state
     * and last reachability check from {@code tenant_servers}.
     */
    public Uni<FleetView> fleet(MigrationCatalog catalog, String server) {
        Tuple params = CatalogRows.params(catalog).addInteger(catalog.migrations().size()).addString(server);
        return Shapes.settle(pool).flatMap(settled -> pool.preparedQuery(FLEET).execute(params).map(rows -> {
            List<FleetView.VersionCount> versions = new ArrayList<>();
            List<FleetView.ServerSummary> servers = new ArrayList<>();
            long total = 0, upToDate = 0, pending = 0, failed = 0, drifted = 0;
            for (Row row : rows) {
                String name = row.getString("server");
                if (name != null) {
                    servers.add(new FleetView.ServerSummary(name, row.getString("state"),
                            row.getBoolean("reachable"), row.getString("last_error"),
                            row.getOffsetDateTime("last_checked_at"), row.getLong("companies"),
                            row.getLong("up_to_date"), row.getLong("pending"), row.getLong("failed"),
                            row.getLong("drifted")));
                    continue;
                }
                Integer ord = row.getInteger("current_ord");
                String version = ord == null ? null : catalog.migrations().get(ord - 1).version().toString();
                versions.add(new FleetView.VersionCount(version, row.getLong("companies")));
                total += row.getLong("companies");
                upToDate += row.getLong("up_to_date");
                pending += row.getLong("pending");
                failed += row.getLong("failed");
                drifted += row.getLong("drifted");
            }
            String latest = catalog.latest().map(Object::toString).orElse(null);
            return new FleetView(total, latest, versions, upToDate, pending, failed, drifted, server, servers);
        }));
    }

    /**
     * Active companies counted per server and shape (company_shapes, kept beside migration_state), then each of the
     * few shapes compared with the catalog once: 10,000 companies are 10,000 small rows, not 100,000 state rows.
     * The same counts are then summed two ways, in one statement: per current version (server NULL) and per server
     * (every registered one, with no companies too). $4 is the server filter, a value, never SQL.
     */
    private static final String FLEET = "SELECT * FROM (WITH " + CatalogRows.CTE + ","
            + " groups AS (SELECT c.server, cs.shape, coalesce(cs.failed, false) AS failed, count(*) AS n"
            + "   FROM public.companies c LEFT JOIN public.company_shapes cs ON cs.company_id = c.id"
            + "   WHERE c.status = 'active' AND c.deleted_at IS NULL AND ($4::text IS NULL OR c.server = $4::text)"
            + "   GROUP BY 1, 2, 3),"
            + " per AS (SELECT sh.shape, max(cat.ord) AS current_ord, count(cat.ord) AS applied_known,"
            + "   bool_or(cat.checksum <> x.checksum) AS drifted"
            + "   FROM public.state_shapes sh CROSS JOIN LATERAL unnest(sh.versions, sh.checksums) AS x(version, checksum)"
            + "   LEFT JOIN cat ON cat.version = x.version"
            + "   WHERE sh.shape IN (SELECT shape FROM groups) GROUP BY sh.shape),"
            + " counted AS (SELECT g.server, p.current_ord, sum(g.n) AS companies,"
            + "   coalesce(sum(g.n) FILTER (WHERE coalesce(p.applied_known, 0) >= $3), 0) AS up_to_date,"
            + "   coalesce(sum(g.n) FILTER (WHERE coalesce(p.applied_known, 0) < $3), 0) AS pending,"
            + "   coalesce(sum(g.n) FILTER (WHERE g.failed), 0) AS failed,"
            + "   coalesce(sum(g.n) FILTER (WHERE p.drifted), 0) AS drifted"
            + "   FROM groups g LEFT JOIN per p ON p.shape = g.shape GROUP BY 1, 2)"
            + " SELECT NULL::text AS server, NULL::text AS state, NULL::boolean AS reachable, NULL::text AS last_error,"
            + " NULL::timestamptz AS last_checked_at, current_ord, sum(companies)::int8 AS companies,"
            + " sum(up_to_date)::int8 AS up_to_date, sum(pending)::int8 AS pending, sum(failed)::int8 AS failed,"
            + " sum(drifted)::int8 AS drifted FROM counted GROUP BY current_ord"
            + " UNION ALL SELECT ts.name, ts.state, ts.reachable, ts.last_error, ts.last_checked_at, NULL,"
            + " coalesce(sum(k.companies), 0)::int8, coalesce(sum(k.up_to_date), 0)::int8,"
            + " coalesce(sum(k.pending), 0)::int8, coalesce(sum(k.failed), 0)::int8, coalesce(sum(k.drifted), 0)::int8"
            + " FROM public.tenant_servers ts LEFT JOIN counted k ON k.server = ts.name"
            + " WHERE $4::text IS NULL OR ts.name = $4::text GROUP BY ts.name) u"
            + " ORDER BY server IS NOT NULL, server <> 'home', server, current_ord NULLS FIRST";

}
