package io.flotilla.migration;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.lock.Blocker;
import io.flotilla.lock.LockPolicy;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.Catalogs;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steps that need a lock another session holds, against the real PostgreSQL: a second JDBC session holds the lock in
 * an open transaction, a third plays the tenant's application.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LockTimeoutTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    SchemaMigrator migrator;
    @Inject
    CompanyService companies;
    @Inject
    DataSource ds;
    @Inject
    MeterRegistry metrics;
    @Inject
    Pool pool;

    @TempDir
    Path dir;

    static final String CREATE = "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";

    Company company(String prefix) {
        String schema = Sql.unique(prefix);
        Company c = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        return companies.update(c.id(), "active", null).await().atMost(WAIT);
    }

    MigrationCatalog catalog(Map<String, String> files) throws IOException {
        return Catalogs.of(dir, files);
    }

    /** A company with table t (version 1 applied). */
    Company withTable(String prefix) throws IOException {
        Company c = company(prefix);
        assertTrue(migrator.migrate(c, catalog(Map.of("1_t.sql", CREATE)), false).await().atMost(WAIT).succeeded());
        return c;
    }

    CompletableFuture<ApplyResult> migrateAsync(Company c, MigrationCatalog catalog, LockPolicy.Overrides strategy) {
        return migrator.migrate(c, catalog, Target.latest(), false, UUID.randomUUID(), true, strategy)
                .subscribeAsCompletionStage();
    }

    /** A session that holds a lock on the company's table t in an open transaction, named {@code application}. */
    Connection blocker(Company c, String application, String lockSql) throws SQLException {
        Connection conn = ds.getConnection();
        try (Statement s = conn.createStatement()) {
            s.execute("SET application_name = '" + application + "'");
            conn.setAutoCommit(false);
            s.execute(lockSql.replace("{t}", c.schemaName() + ".t"));
        }
        return conn;
    }

    /** Whether some session waits for a lock on a table of the schema (a step's attempt, queued). */
    boolean someoneWaits(Company c) {
        return Sql.count(ds, "SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ? AND NOT l.granted",
                c.schemaName()) > 0;
    }

    double timeouts() {
        Counter counter = metrics.find("flotilla.lock.timeouts").tag("server", "home").counter();
        return counter == null ? 0 : counter.count();
    }

    String ledger(Company c, String version, String column) {
        List<String> values = Sql.column(ds, "SELECT " + column + "::text FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND version = ? ORDER BY id", c.id().toString(), version);
        assertEquals(1, values.size(), "one ledger row for version " + version + ": " + values);
        return values.get(0);
    }

    boolean columnExists(Company c, String table, String column) {
        return Sql.count(ds, "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                + " AND column_name = ?", c.schemaName(), table, column) == 1;
    }

    @Test
    void aBlockedStepRetriesAndIsAppliedOnceWhenTheBlockerEnds() throws Exception {
        Company c = withTable("lockretry");
        MigrationCatalog catalog = catalog(Map.of("1_t.sql", CREATE, "2_note.sql", "ALTER TABLE t ADD COLUMN note text;"));
        double before = timeouts();
        CompletableFuture<ApplyResult> run;
        try (Connection holder = blocker(c, "lock-holder-retry", "SELECT * FROM {t}")) {
            run = migrateAsync(c, catalog, LockPolicy.Overrides.NONE); // the configured 100ms, 200ms, … within 30 s
            Await.until("two attempts to time out", () -> timeouts() >= before + 2);
            assertFalse(run.isDone(), "the step keeps trying while its budget lasts");
            holder.rollback();
        }
        ApplyResult result = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(result.succeeded(), String.valueOf(result.failure()));
        assertEquals(List.of("2"), result.applied());
        assertEquals("applied", ledger(c, "2", "status"));
        assertTrue(Integer.parseInt(ledger(c, "2", "lock_attempts")) >= 3, "attempts: " + ledger(c, "2", "lock_attempts"));
        assertTrue(ledger(c, "2", "lock_blocker").contains("lock-holder-retry"), ledger(c, "2", "lock_blocker"));
        assertTrue(columnExists(c, "t", "note"));
    }

    /**
     * flotilla.locks.record-query=false, read as the executor reads it after a timed-out attempt (a profile of its own
     * would restart Quarkus for one flag): the blocker is named by pid, application, state and transaction age, and
     * nothing of its query is read, so nothing of it can reach the ledger or the failures.
     */
    @Test
    void withRecordQueryOffTheBlockerIsNamedWithoutItsQuery() throws Exception {
        Company c = withTable("lockquiet");
        Blocker quiet;
        Blocker full;
        long holderPid;
        try (Connection holder = blocker(c, "lock-holder-quiet", "SELECT * FROM {t} /* a-secret-in-the-query */")) {
            holderPid = Sql.count(ds, "SELECT pid FROM pg_stat_activity WHERE application_name = 'lock-holder-quiet'");
            quiet = Blocker.read(pool, c.schemaName(), false).await().atMost(WAIT);
            full = Blocker.read(pool, c.schemaName(), true).await().atMost(WAIT);
            holder.rollback();
        }
        assertNotNull(quiet, "the holder of the lock on t");
        assertEquals(holderPid, quiet.pid());
        assertEquals("lock-holder-quiet", quiet.applicationName());
        assertEquals("idle in transaction", quiet.state());
        assertNotNull(quiet.transactionSeconds(), "how long its transaction is open");
        assertNull(quiet.query(), "record-query off: the query is not read");
        assertEquals("pid " + holderPid + " (application 'lock-holder-quiet', idle in transaction, transaction open "
                + quiet.transactionSeconds() + " s)", quiet.describe(), "what the ledger's lock_blocker would hold");
        assertTrue(full.query().contains("a-secret-in-the-query"), "on (the default), the same read has it: " + full);
        assertNull(Blocker.read(pool, c.schemaName(), false).await().atMost(WAIT), "no holder once it rolled back");
    }

    @Test
    void aBlockerThatNeverEndsFailsTheStepWithinTheDirectivesBudgetNamedAndNothingHalfApplied() throws Exception {
        Company c = withTable("lockfail");
        // The file's directives win over the configured 30 s budget.
        MigrationCatalog catalog = catalog(Map.of("1_t.sql", CREATE, "2_note.sql",
                "-- flotilla:lock-timeouts 50ms,100ms\n-- flotilla:lock-budget 1s\n"
                        + "CREATE TABLE side (id int);\nALTER TABLE t ADD COLUMN note text;\n"));
        ApplyResult result;
        long took;
        try (Connection holder = blocker(c, "lock-holder-fail", "SELECT * FROM {t} /* the-blocking-query */")) {
            long began = System.nanoTime();
            result = migrateAsync(c, catalog, LockPolicy.Overrides.NONE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            holder.rollback();
        }
        assertFalse(result.succeeded());
        assertTrue(took < 5000, "the 1 s budget of the directive, not the configured 30 s: " + took + " ms");
        assertTrue(result.failure().lockTimeout(), result.failure().toString());
        assertTrue(result.failure().error().startsWith("lock-timeout:"), result.failure().error());
        assertTrue(result.failure().error().contains("lock-holder-fail"), result.failure().error());
        assertTrue(result.failure().lockAttempts() >= 2, result.failure().toString());
        assertEquals("failed", ledger(c, "2", "status"));
        assertEquals("55P03", ledger(c, "2", "error_sqlstate"));
        String blocker = ledger(c, "2", "lock_blocker");
        assertTrue(blocker.contains("lock-holder-fail") && blocker.contains("the-blocking-query")
                && blocker.contains("idle in transaction"), blocker);
        assertEquals(String.valueOf(result.failure().lockAttempts()), ledger(c, "2", "lock_attempts"));
        assertFalse(Sql.tables(ds, c.schemaName()).contains("side"), "the step's first statement rolled back too");
        assertFalse(columnExists(c, "t", "note"));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND version = '2' AND applied", c.id().toString()));
    }

    @Test
    void whileAStepWaitsTheApplicationIsNeverStalledLongerThanAboutAnAttempt() throws Exception {
        Company c = withTable("lockapp");
        MigrationCatalog catalog = catalog(Map.of("1_t.sql", CREATE, "2_note.sql",
                "-- flotilla:lock-timeouts 200ms\n-- flotilla:lock-budget 20s\nALTER TABLE t ADD COLUMN note text;\n"));
        long worst = 0;
        int queries = 0;
        CompletableFuture<ApplyResult> run;
        try (Connection holder = blocker(c, "lock-holder-app", "SELECT * FROM {t}");
             Connection app = ds.getConnection(); Statement s = app.createStatement()) {
            run = migrateAsync(c, catalog, LockPolicy.Overrides.NONE);
            Await.until("the step to queue for its lock", () -> someoneWaits(c));
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (System.nanoTime() < until) {
                long began = System.nanoTime();
                s.executeQuery("SELECT count(*) FROM " + c.schemaName() + ".t").close();
                worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                queries++;
            }
            assertFalse(run.isDone(), "the step is still trying");
            holder.rollback();
        }
        assertTrue(run.get(WAIT.toSeconds(), TimeUnit.SECONDS).succeeded());
        System.out.printf("application queries while the step retried: %d, slowest %d ms%n", queries, worst);
        assertTrue(worst < 1000, "an application query waited " + worst + " ms behind a step with 200 ms attempts");
    }

    @Test
    void withoutLockTimeoutsAsFlywayRunsTheStepStallsTheApplication() throws Exception {
        Company c = withTable("lockstall");
        MigrationCatalog catalog = catalog(Map.of("1_t.sql", CREATE, "2_note.sql", "ALTER TABLE t ADD COLUMN note text;"));
        CompletableFuture<ApplyResult> run;
        try (Connection holder = blocker(c, "lock-holder-stall", "SELECT * FROM {t}");
             Connection app = ds.getConnection(); Statement s = app.createStatement()) {
            // A rollout's "lockTimeouts": [] — one attempt, no lock_timeout.
            run = migrateAsync(c, catalog, new LockPolicy.Overrides(List.of(), null, null));
            Await.until("the step to queue for its lock", () -> someoneWaits(c));
            s.execute("SET statement_timeout = 1500");
            SQLException stalled = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT count(*) FROM " + c.schemaName() + ".t").close());
            assertEquals("57014", stalled.getSQLState(), "the application's query stalled behind the step: " + stalled);
            assertFalse(run.isDone());
            holder.rollback();
        }
        assertTrue(run.get(WAIT.toSeconds(), TimeUnit.SECONDS).succeeded());
        assertEquals("1", ledger(c, "2", "lock_attempts"));
    }

    @Test
    void aStatementTimeoutDirectiveStopsARunawayStepWithoutRetrying() throws Exception {
        Company c = withTable("stmttimeout");
        MigrationCatalog catalog = catalog(Map.of("1_t.sql", CREATE, "2_slow.sql",
                "-- flotilla:statement-timeout 300ms\nCREATE TABLE side (id int);\nSELECT pg_sleep(5);\n"));
        long began = System.nanoTime();
        ApplyResult result = migrateAsync(c, catalog, LockPolicy.Overrides.NONE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertFalse(result.succeeded());
        assertEquals("57014", result.failure().sqlState(), result.failure().toString());
        assertTrue(took < 4000, "stopped by its statement_timeout, not after pg_sleep's 5 s: " + took + " ms");
        assertEquals("1", ledger(c, "2", "lock_attempts"), "a statement timeout is no lock timeout: not retried");
        assertFalse(Sql.tables(ds, c.schemaName()).contains("side"));
    }

    @Test
    void aSeedBlockedByAnOpenTransactionRetriesAndLandsWhenItEnds() throws Exception {
        String schema = Sql.unique("lockseed");
        String id = io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("companyName", "Co " + schema, "schemaName", schema, "settings", Map.of()))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
        double before = timeouts();
        CompletableFuture<Integer> seeded;
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'lock-holder-seed'");
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE " + schema + ".conversations IN SHARE MODE"); // inserts wait for it
            seeded = CompletableFuture.supplyAsync(() -> io.restassured.RestAssured.given()
                    .post("/api/v1/companies/{id}/seed", id).then().extract().statusCode());
            Await.until("two seed attempts to time out", () -> timeouts() >= before + 2);
            assertFalse(seeded.isDone());
            holder.rollback();
        }
        assertEquals(200, seeded.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, Sql.count(ds, "SELECT count(*) FROM " + schema + ".conversations"));
    }
}
