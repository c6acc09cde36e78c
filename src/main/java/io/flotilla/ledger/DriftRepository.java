package io.flotilla.ledger;

import io.flotilla.catalog.Migration;
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
        Tuple params = Tuple.of(catalog.migrations().stream().map(m -> m.version().toString()).toArray(String[]::new),
                catalog.migrations().stream().map(Migration::checksum).toArray(String[]::new)).addString(server)
                .addInteger(limit);
        return pool.preparedQuery("WITH cat AS (SELECT v AS version, c::char(64) AS checksum"
                        + " FROM unnest($1::text[], $2::text[]) AS t(v, c))"
                        + " SELECT c.id, c.company_name, c.schema_name, c.server,"
                        + " array_agg(s.version ORDER BY s.version_key) AS versions"
                        + " FROM public.migration_state s JOIN cat ON cat.version = s.version AND cat.checksum <> s.checksum"
                        + " JOIN public.companies c ON c.id = s.company_id"
                        + " WHERE s.applied AND c.deleted_at IS NULL AND ($3::text IS NULL OR c.server = $3)"
                        + " GROUP BY c.id, c.company_name, c.schema_name, c.server, c.created_at"
                        + " ORDER BY c.created_at, c.id LIMIT $4")
                .execute(params)
                .map(rows -> {
                    List<DriftedCompany> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new DriftedCompany(r.getUUID(0), r.getString(1), r.getString(2),
                            r.getString(3), Arrays.asList(r.getArrayOfStrings(4)))));
                    return list;
                });
    }
}
