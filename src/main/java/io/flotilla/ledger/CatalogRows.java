package io.flotilla.ledger;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The catalog as SQL rows, for the queries that compare {@code migration_state} (or its shapes) with it: CTE
 * {@code cat(version, checksum, ord)} over parameters {@code $1} (versions) and {@code $2} (checksums). Version text
 * is canonical, as the state table stores it; checksums compare as char(64) like the column (not text: a cast per
 * row) - what keeps 100,000 state rows within a few tens of ms.
 */
public final class CatalogRows {

    public static final String CTE = "cat AS (SELECT v AS version, c::char(64) AS checksum, o::int AS ord"
            + " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(v, c, o))";

    private CatalogRows() {
    }

    /** {@code $1} and {@code $2} of {@link #CTE}; callers add their own parameters after them. */
    public static Tuple params(MigrationCatalog catalog) {
        return Tuple.of(catalog.migrations().stream().map(m -> m.version().toString()).toArray(String[]::new),
                catalog.migrations().stream().map(Migration::checksum).toArray(String[]::new));
    }
}
