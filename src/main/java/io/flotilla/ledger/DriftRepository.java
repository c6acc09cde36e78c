package io.flotilla.ledger;

import io.flotilla.catalog.MigrationCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drift from the home copy of every server's state ({@code migration_state}, with every step copied home): applied
 * versions whose catalog file changed since. One query, the catalog passed as two arrays, whatever the fleet size.
 */
@ApplicationScoped
public class DriftRepository {

    private final Pool pool;

    public DriftRepository(Pool pool) {
        this.pool = pool;
    }

    /** Drifted companies, oldest first, on {@code server} only when it is not null. */
    public Uni<List<DriftedCompany>> drifted(MigrationCatalog catalog, String server, int limit) {
        Tuple params = CatalogRows.params(catalog).addString(server).addInteger(limit);
        // The drifted shapes first (a fleet has a handful; a shape's versions are in version order), then the
        // companies that have them: the same reading of migration_state the fleet view does (V7).
        return Shapes.settle(pool).flatMap(settled -> pool.preparedQuery("WITH " + CatalogRows.CTE + ","
                        + " drifted AS (SELECT sh.shape, array_agg(x.version ORDER BY x.k) AS versions"
                        + "   FROM public.state_shapes sh CROSS JOIN LATERAL unnest(sh.versions, sh.checksums)"
                        + "   WITH ORDINALITY AS x(version, checksum, k)"
                        + "   JOIN cat ON cat.version = x.version AND cat.checksum <> x.checksum GROUP BY sh.shape)"
                        + " SELECT c.id, c.company_name, c.schema_name, c.server, d.versions"
                        + " FROM drifted d JOIN public.company_shapes cs ON cs.shape = d.shape"
                        + " JOIN public.companies c ON c.id = cs.company_id"
                        + " WHERE c.deleted_at IS NULL AND ($3::text IS NULL OR c.server = $3)"
                        + " ORDER BY c.created_at, c.id LIMIT $4")
                .execute(params)
                .map(rows -> {
                    List<DriftedCompany> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new DriftedCompany(r.getUUID(0), r.getString(1), r.getString(2),
                            r.getString(3), Arrays.asList(r.getArrayOfStrings(4)))));
                    return list;
                }));
    }
}
