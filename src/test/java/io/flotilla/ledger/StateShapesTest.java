package io.flotilla.ledger;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.Catalogs;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * company_shapes and state_shapes follow migration_state through every kind of change the service and an operator
 * make (insert, the ledger's upsert, update, delete), in the same statement; the planner's view of what is applied
 * is read from them. A migrator's run recomputes them once, at its last step; a run cut short leaves them marked
 * stale, and readers settle them before reading.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StateShapesTest {

    @Inject
    DataSource ds;

    @Inject
    LedgerRepository ledger;

    @Inject
    Pool pool;

    @Inject
    SchemaMigrator migrator;

    @Inject
    CompanyService companies;

    @Inject
    FleetRepository fleet;

    @TempDir
    Path dir;

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String INSERT_STATE = "INSERT INTO public.migration_state (company_id, version_key, version, applied,"
            + " checksum, failed, ledger_id) VALUES ($1, string_to_array($2, '.')::numeric[], $2, true, $3, false, 0)";

    String shapeRow(UUID company) {
        List<String> row = Sql.column(ds, "SELECT shape || '|' || stale FROM public.company_shapes WHERE company_id = ?",
                company);
        return row.isEmpty() ? null : row.get(0);
    }

    /** A step's transaction as a migrator runs one that is not its run's last: shape left for later. */
    Uni<Void> deferredStep(SqlConnection conn, UUID company, String version) {
        return Shapes.later(conn, company).flatMap(x -> conn.preparedQuery(INSERT_STATE)
                .execute(Tuple.of(company, version, "sum-" + version))).replaceWithVoid();
    }

    void state(UUID company, String version, boolean applied, String checksum, boolean failed) {
        // As the ledger writes it: insert, or on conflict the new outcome.
        Sql.execute(ds, "INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, failed,"
                        + " ledger_id) VALUES (?, string_to_array(?, '.')::numeric[], ?, ?, ?, ?, 0)"
                        + " ON CONFLICT (company_id, version_key) DO UPDATE SET applied = EXCLUDED.applied,"
                        + " checksum = EXCLUDED.checksum, failed = EXCLUDED.failed",
                company, version, version, applied, checksum, failed);
    }

    Map<Version, String> applied(UUID company) {
        return ledger.applied(List.of(company)).await().indefinitely().getOrDefault(company, Map.of());
    }

    boolean failed(UUID company) {
        return Sql.column(ds, "SELECT failed::text FROM public.company_shapes WHERE company_id = ?", company).equals(List.of("true"));
    }

    @Test
    void shapesFollowEveryChangeOfTheState() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        // Two state rows in one statement, for two companies: one recomputation covers both.
        Sql.execute(ds, "INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, failed,"
                + " ledger_id) SELECT id, '{1}', '1', true, 'sum-1', false, 0 FROM unnest(ARRAY[?, ?]::uuid[]) id", a, b);
        state(a, "2", true, "sum-2", false);
        state(b, "2", true, "sum-2", false);
        assertEquals(Map.of(Version.parse("1"), "sum-1", Version.parse("2"), "sum-2"), applied(a));
        assertEquals(applied(a), applied(b));
        assertEquals(1, Sql.count(ds, "SELECT count(DISTINCT shape) FROM public.company_shapes WHERE company_id IN (?, ?)", a, b),
                "same versions, same checksums: one shape");

        // A failed attempt at an applied version leaves it applied (as the ledger's upsert does) and flags the company.
        Sql.execute(ds, "UPDATE public.migration_state SET failed = true WHERE company_id = ? AND version = '2'", a);
        assertTrue(failed(a));
        assertFalse(failed(b));
        assertEquals(applied(b), applied(a));

        // Rolled back: no longer applied.
        state(a, "2", false, null, false);
        assertEquals(Map.of(Version.parse("1"), "sum-1"), applied(a));
        assertFalse(failed(a));

        // Versions in version order (10 after 9), each with its own checksum; a changed checksum is another shape.
        state(c, "10", true, "sum-10", false);
        state(c, "9", true, "sum-9", false);
        assertEquals(List.of("{9,10}"), Sql.column(ds, "SELECT sh.versions::text FROM public.company_shapes cs"
                + " JOIN public.state_shapes sh USING (shape) WHERE cs.company_id = ?", c));
        state(b, "1", true, "changed", false);
        assertEquals(Map.of(Version.parse("1"), "changed", Version.parse("2"), "sum-2"), applied(b));

        // Deleted state: nothing applied.
        Sql.execute(ds, "DELETE FROM public.migration_state WHERE company_id = ?", b);
        assertEquals(Map.of(), applied(b));
        assertEquals(Map.of(Version.parse("1"), "sum-1"), applied(a));
    }

    @Test
    void aRunLeftDeferredIsMarkedStaleAndSettledByTheNextReader() throws Exception {
        UUID a = UUID.randomUUID();
        state(a, "1", true, "sum-1", false);
        String before = shapeRow(a);
        assertTrue(before.endsWith("|false"), before);

        // Two steps of a run that died before its last: committed, the shape marked stale and not recomputed.
        pool.withTransaction(conn -> deferredStep(conn, a, "2")).await().atMost(WAIT);
        pool.withTransaction(conn -> deferredStep(conn, a, "3")).await().atMost(WAIT);
        assertEquals(before.replace("|false", "|true"), shapeRow(a), "the shape is the one before the run, marked");

        // The planner's read settles it first.
        assertEquals(Map.of(Version.parse("1"), "sum-1", Version.parse("2"), "sum-2", Version.parse("3"), "sum-3"),
                applied(a));
        assertTrue(shapeRow(a).endsWith("|false"));
        assertEquals(0, Shapes.settle(pool).await().atMost(WAIT), "nothing left to settle");

        // A company whose first ever run died has a marked row too, and the fleet view settles it.
        UUID b = UUID.randomUUID();
        pool.withTransaction(conn -> deferredStep(conn, b, "1")).await().atMost(WAIT);
        assertEquals("|true", shapeRow(b).trim());
        fleet.fleet(Catalogs.of(dir, Map.of("001_a.sql", "SELECT 1;"))).await().atMost(WAIT);
        assertTrue(shapeRow(b).endsWith("|false"), "settled by the fleet view");
        assertEquals(Map.of(Version.parse("1"), "sum-1"), applied(b));
        assertTrue(shapeRow(b).endsWith("|false"));
    }

    @Test
    void aRecomputationNeverClearsAMarkWhoseStepItDidNotSee() {
        UUID a = UUID.randomUUID();
        state(a, "1", true, "sum-1", false);
        pool.withTransaction(conn -> deferredStep(conn, a, "2")).await().atMost(WAIT);
        // The run's next step holds the mark (and the row's lock) while a reader settles the committed mark: the
        // reader waits for the step's commit and then reads its state too.
        SqlConnection step = pool.getConnection().await().atMost(WAIT);
        try {
            step.query("BEGIN").execute().await().atMost(WAIT);
            deferredStep(step, a, "3").await().atMost(WAIT);
            var settled = Shapes.settle(pool).subscribeAsCompletionStage();
            Await.until("the reader to wait for the step's row lock", () -> Sql.count(ds, "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE '%flotilla_reshape_stale%'") == 1);
            assertFalse(settled.isDone());
            step.query("COMMIT").execute().await().atMost(WAIT);
            assertEquals(1, settled.join(), "one company settled");
        } finally {
            step.close().await().atMost(WAIT);
        }
        assertTrue(shapeRow(a).endsWith("|false"));
        assertEquals(List.of("{1,2,3}"), Sql.column(ds, "SELECT sh.versions::text FROM public.company_shapes cs"
                + " JOIN public.state_shapes sh USING (shape) WHERE cs.company_id = ?", a), "the settled shape has the step");
    }

    @Test
    void aMigratorsRunRecomputesTheShapeOnceAtItsLastStep() throws Exception {
        String schema = Sql.unique("once");
        Company c = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        c = companies.update(c.id(), "active", null).await().atMost(WAIT);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("001_a.sql", "CREATE TABLE a (id int);");
        files.put("002_b.sql", "CREATE TABLE b (id int);");
        files.put("003_c.sql", "CREATE TABLE c (id int);");
        files.put("004_d.sql", "CREATE TABLE d (id int);");
        MigrationCatalog catalog = Catalogs.of(dir, files);
        // Every shape the company's row takes, as the run writes them.
        String log = Sql.unique("shape_log");
        Sql.execute(ds, "CREATE TABLE public." + log + " (shape text, stale boolean)");
        Sql.execute(ds, "CREATE FUNCTION public." + log + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.company_id = '" + c.id() + "' THEN INSERT INTO public." + log + " VALUES (NEW.shape, NEW.stale);"
                + " END IF; RETURN NULL; END $$");
        Sql.execute(ds, "CREATE TRIGGER " + log + " AFTER INSERT OR UPDATE ON public.company_shapes FOR EACH ROW"
                + " EXECUTE FUNCTION public." + log + "()");
        try {
            ApplyResult result = migrator.migrate(c, catalog, false).await().atMost(WAIT);
            assertEquals(List.of("1", "2", "3", "4"), result.applied());
            List<String> shapes = Sql.column(ds, "SELECT DISTINCT shape FROM public." + log + " WHERE shape <> ''");
            assertEquals(1, shapes.size(), "one recomputation, at the last step: " + shapes);
            assertEquals(List.of("{1,2,3,4}"), Sql.column(ds, "SELECT sh.versions::text FROM public.state_shapes sh"
                    + " WHERE sh.shape = ?", shapes.get(0)));
            assertTrue(shapeRow(c.id()).endsWith("|false"));
        } finally {
            Sql.execute(ds, "DROP TRIGGER " + log + " ON public.company_shapes");
            Sql.execute(ds, "DROP FUNCTION public." + log + "()");
        }
    }
}
