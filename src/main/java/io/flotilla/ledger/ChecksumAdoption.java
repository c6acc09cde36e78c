package io.flotilla.ledger;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;

/**
 * Keeps a fleet's applied state when its catalog changes layout (a team renaming its goose files into Flotilla's
 * {@code NNN_name.sql} + {@code rollback_NNN_name.sql}): versions match by number already, and a step whose file
 * checksum changed while its content checksum (statements only) did not is the same step. Such state rows take the
 * file's checksum now, so fleet, drift and rollout views see no drift; the ledger keeps what was recorded (the
 * per-schema planner matches content itself, see MigrationPlanner). Rows recorded before content checksums existed
 * get theirs where the file is unchanged, so a later rename is recognised too. One statement per database; at home at
 * start-up, on every other server once per process ({@code server.LedgerReconciliation}).
 */
@ApplicationScoped
public class ChecksumAdoption {

    /** What one pass changed in one database. */
    public record Adopted(long ledgerFilled, long stateFilled, long stateAdopted, long companies, List<String> versions) {
    }

    private static final String ADOPT = "WITH cat AS (SELECT v AS version, c::char(64) AS checksum,"
            + " cc::char(64) AS content FROM unnest($1::text[], $2::text[], $3::text[]) AS x(v, c, cc)),"
            // Only the ledger row each state row points at (the one a run's planner reads), by primary key: a ledger
            // of millions of rows is not rewritten at start-up.
            + " ledger AS (UPDATE public.migration_ledger l SET content_checksum = cat.content"
            + " FROM public.migration_state s JOIN cat ON cat.version = s.version"
            + " WHERE l.id = s.ledger_id AND s.applied AND s.checksum = cat.checksum AND l.content_checksum IS NULL"
            + " AND l.status IN ('applied', 'adopted') AND l.checksum = cat.checksum RETURNING 1),"
            + " filled AS (UPDATE public.migration_state s SET content_checksum = cat.content FROM cat"
            + " WHERE s.content_checksum IS NULL AND s.applied AND s.version = cat.version AND s.checksum = cat.checksum"
            + " RETURNING 1),"
            + " adopted AS (UPDATE public.migration_state s SET checksum = cat.checksum, updated_at = now() FROM cat"
            + " WHERE s.applied AND s.version = cat.version AND s.checksum <> cat.checksum AND s.content_checksum = cat.content"
            + " RETURNING s.company_id, s.version)"
            + " SELECT (SELECT count(*) FROM ledger), (SELECT count(*) FROM filled), (SELECT count(*) FROM adopted),"
            + " (SELECT count(DISTINCT company_id) FROM adopted),"
            + " (SELECT coalesce(array_agg(DISTINCT version ORDER BY version), '{}') FROM adopted)";

    private final Pool home;
    private final CatalogService catalog;

    public ChecksumAdoption(Pool home, CatalogService catalog) {
        this.home = home;
        this.catalog = catalog;
    }

    /**
     * Before rollouts resume and requests plan anything: the home database, waited for. A failure does not stop the
     * service: what was not adopted reads as drift (refused, never run) until the next start.
     */
    void atStart(@Observes @Priority(10) StartupEvent event) {
        try {
            adopt(home, "home").await().atMost(Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            Log.warnf("Applied state not compared with the catalog's files at start-up (%s): steps whose files changed"
                    + " only in layout read as drift until the next start", e.getMessage());
        }
    }

    /** One pass on the database {@code client} reaches ({@code name} for the log). */
    public Uni<Adopted> adopt(SqlClient client, String name) {
        MigrationCatalog cat = catalog.catalog();
        if (cat.migrations().isEmpty()) {
            return Uni.createFrom().item(new Adopted(0, 0, 0, 0, List.of()));
        }
        Tuple params = Tuple.of(cat.migrations().stream().map(m -> m.version().toString()).toArray(String[]::new),
                cat.migrations().stream().map(Migration::checksum).toArray(String[]::new),
                cat.migrations().stream().map(m -> m.up().contentChecksum()).toArray(String[]::new));
        return client.preparedQuery(ADOPT).execute(params).map(rows -> {
            Row row = rows.iterator().next();
            Adopted adopted = new Adopted(row.getLong(0), row.getLong(1), row.getLong(2), row.getLong(3),
                    List.of(row.getArrayOfStrings(4)));
            if (adopted.stateAdopted() > 0) {
                Log.infof("Database %s: %d applied steps of %d companies (versions %s) were recorded from files laid out"
                                + " differently with the same statements; they count as applied from the catalog's files now",
                        name, adopted.stateAdopted(), adopted.companies(), String.join(", ", adopted.versions()));
            }
            if (adopted.ledgerFilled() + adopted.stateFilled() > 0) {
                Log.debugf("Database %s: content checksums filled in for %d ledger rows and %d state rows", name,
                        adopted.ledgerFilled(), adopted.stateFilled());
            }
            return adopted;
        });
    }
}
