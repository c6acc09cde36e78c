package io.flotilla.migration;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.MigrationInfo;
import io.flotilla.ledger.MigrationState;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.Catalogs;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor against a real PostgreSQL, with catalogs written for each case. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SchemaMigratorTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    SchemaMigrator migrator;
    @Inject
    CompanyService companies;
    @Inject
    LedgerRepository ledger;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    Company company(String schema) {
        Company c = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        return companies.update(c.id(), "active", null).await().atMost(WAIT);
    }

    MigrationCatalog catalog(Map<String, String> files) throws IOException {
        return Catalogs.of(dir, files);
    }

    ApplyResult migrate(Company c, MigrationCatalog catalog) {
        return migrator.migrate(c, catalog, false).await().atMost(WAIT);
    }

    List<String> ledgerStatuses(Company c) {
        return Sql.column(ds, "SELECT version || ':' || status FROM public.migration_ledger WHERE company_id = ?::uuid ORDER BY id",
                c.id().toString());
    }

    @Test
    void failingMigrationIsRolledBackRecordedAndStopsTheRun() throws IOException {
        Company c = company(Sql.unique("fail"));
        MigrationCatalog broken = catalog(Map.of(
                "001_a.sql", "CREATE TABLE a (id int);",
                "002_b.sql", "CREATE TABLE b (id int);\nINSERT INTO no_such_table VALUES (1);",
                "003_c.sql", "CREATE TABLE c (id int);"));

        ApplyResult result = migrate(c, broken);

        assertFalse(result.succeeded());
        assertEquals(List.of("1"), result.applied());
        assertEquals(List.of("2", "3"), result.pending());
        assertEquals("2", result.failure().version());
        assertEquals("42P01", result.failure().sqlState());
        assertEquals(38, result.failure().position(), "1-based position of no_such_table in the script");
        assertTrue(result.failure().error().contains("no_such_table"));
        assertEquals(List.of("a"), Sql.tables(ds, c.schemaName()), "b rolled back, c never ran");
        assertEquals(List.of("1:applied", "2:failed"), ledgerStatuses(c));
        assertEquals(List.of("42P01|38"), Sql.column(ds, "SELECT error_sqlstate || '|' || error_position FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND status = 'failed' AND error LIKE '%no_such_table%'", c.id().toString()));

        var states = MigrationInfo.of(broken, ledger.history(null, c.id()).await().atMost(WAIT));
        assertEquals(List.of(MigrationState.APPLIED, MigrationState.FAILED, MigrationState.PENDING),
                states.stream().map(MigrationInfo::state).toList());
        assertNotNull(states.get(1).lastError());

        // Fixed file: the next run picks up at version 2.
        MigrationCatalog fixed = catalog(Map.of(
                "001_a.sql", "CREATE TABLE a (id int);",
                "002_b.sql", "CREATE TABLE b (id int);",
                "003_c.sql", "CREATE TABLE c (id int);"));
        retryAppliesTheRest(c, fixed);
    }

    /**
     * The script, its ledger record and COMMIT are sent pipelined, without waiting between them: when the record
     * fails after the script succeeded, the COMMIT must roll the script back, so nothing is applied unrecorded.
     */
    @Test
    void aFailingLedgerRecordRollsItsMigrationBack() throws IOException {
        Company c = company(Sql.unique("recfail"));
        MigrationCatalog catalog = catalog(Map.of(
                "001_a.sql", "CREATE TABLE a (id int);",
                "002_b.sql", "CREATE TABLE b (id int);",
                "003_c.sql", "CREATE TABLE c (id int);"));
        String trigger = "refuse_" + c.schemaName();
        Sql.execute(ds, "CREATE FUNCTION public." + trigger + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.schema_name = '" + c.schemaName() + "' AND NEW.version = '2' AND NEW.status = 'applied' THEN"
                + " RAISE EXCEPTION 'ledger refuses this row'; END IF; RETURN NEW; END $$");
        Sql.execute(ds, "CREATE TRIGGER " + trigger + " BEFORE INSERT ON public.migration_ledger"
                + " FOR EACH ROW EXECUTE FUNCTION public." + trigger + "()");
        ApplyResult result;
        try {
            result = migrate(c, catalog);
        } finally {
            Sql.execute(ds, "DROP TRIGGER " + trigger + " ON public.migration_ledger");
            Sql.execute(ds, "DROP FUNCTION public." + trigger + "()");
        }

        assertFalse(result.succeeded());
        assertEquals(List.of("1"), result.applied());
        assertEquals("2", result.failure().version());
        assertEquals("P0001", result.failure().sqlState());
        assertTrue(result.failure().error().contains("ledger refuses this row"), result.failure().error());
        assertEquals(List.of("a"), Sql.tables(ds, c.schemaName()), "b rolled back with its refused record, c never ran");
        assertEquals(List.of("1:applied", "2:failed"), ledgerStatuses(c));
        // A step recorded in its own transaction is timed by the server: from the transaction's start to the record.
        assertEquals(List.of("t"), Sql.column(ds, "SELECT duration_ms >= 0 AND finished_at >= started_at"
                + " AND abs(extract(epoch FROM finished_at - started_at) * 1000 - duration_ms) <= 1"
                + " FROM public.migration_ledger WHERE company_id = ?::uuid AND version = '1'", c.id().toString()));

        retryAppliesTheRest(c, catalog);
    }

    /** The next run after a failure at version 2 of a, b, c picks up there and builds the rest. */
    void retryAppliesTheRest(Company c, MigrationCatalog catalog) {
        ApplyResult retry = migrate(c, catalog);
        assertTrue(retry.succeeded());
        assertEquals(List.of("2", "3"), retry.applied());
        assertEquals(List.of("a", "b", "c"), Sql.tables(ds, c.schemaName()));
    }

    @Test
    void failedConcurrentIndexLeavesAnInvalidIndexThatTheRetryDropsAndRebuilds() throws IOException {
        Company c = company(Sql.unique("cic"));
        Map<String, String> files = Map.of(
                "001_t.sql", "CREATE TABLE t (x int);\nINSERT INTO t VALUES (1), (1);",
                "002_idx.sql", "-- flotilla:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x_uniq ON t (x);");
        MigrationCatalog catalog = catalog(files);

        ApplyResult first = migrate(c, catalog);
        assertEquals("2", first.failure().version());
        assertEquals("23505", first.failure().sqlState());
        String validity = "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = ? AND x.relname = 't_x_uniq'";
        assertEquals(List.of("false"), Sql.column(ds, validity, c.schemaName()), "PostgreSQL left an INVALID index");

        Sql.execute(ds, "DELETE FROM " + c.schemaName() + ".t WHERE ctid = (SELECT max(ctid) FROM " + c.schemaName() + ".t)");
        ApplyResult retry = migrate(c, catalog);
        assertTrue(retry.succeeded(), () -> String.valueOf(retry.failure()));
        // Without dropping it first, IF NOT EXISTS would have "succeeded" on top of the invalid index.
        assertEquals(List.of("true"), Sql.column(ds, validity, c.schemaName()));
        assertEquals(List.of("1:applied", "2:failed", "2:applied"), ledgerStatuses(c));
    }

    @Test
    void unresolvedPlaceholderFailsBeforeAnySqlRuns() throws IOException {
        Company c = company(Sql.unique("tpl"));
        MigrationCatalog catalog = catalog(Map.of(
                "001_ok.sql", "CREATE TABLE ok (id int);",
                "002_tpl.sql", "CREATE TABLE v (x int DEFAULT ${missing_value});"));
        FlotillaException e = assertThrows(FlotillaException.class, () -> migrate(c, catalog));
        assertEquals(ErrorCode.UNRESOLVED_PLACEHOLDER, e.code());
        assertTrue(e.getMessage().contains("${missing_value}"));
        assertEquals(List.of(), Sql.tables(ds, c.schemaName()), "not even version 1 ran");
        assertEquals(List.of(), ledgerStatuses(c));
    }

    @Test
    void aStoredSettingThatWouldOpenACommentFailsBeforeAnySqlRuns() throws IOException {
        Company c = company(Sql.unique("cmt"));
        // Written around the API, as a row from before the rule could be: the migrator checks it again.
        Sql.execute(ds, "UPDATE public.companies SET settings = '{\"dims\": \"1--\"}'::jsonb WHERE id = ?::uuid", c.id().toString());
        Company stored = companies.get(c.id()).await().atMost(WAIT);
        MigrationCatalog catalog = catalog(Map.of(
                "001_ok.sql", "CREATE TABLE ok (id int);",
                "002_tpl.sql", "CREATE TABLE v (x int DEFAULT ${dims}, y int);"));
        FlotillaException e = assertThrows(FlotillaException.class, () -> migrate(stored, catalog));
        assertEquals(ErrorCode.UNSAFE_TEMPLATE_VALUE, e.code());
        assertTrue(e.getMessage().contains("settings.dims must not contain '--'"), e.getMessage());
        assertEquals(List.of(), Sql.tables(ds, c.schemaName()), "not even version 1 ran");
        assertEquals(List.of(), ledgerStatuses(c));
    }

    @Test
    void settingsAndSchemaPlaceholdersAreRendered() throws IOException {
        Company c = company(Sql.unique("render"));
        companies.update(c.id(), null, Map.of("dims", 768, "label", "gold")).await().atMost(WAIT);
        Company updated = companies.get(c.id()).await().atMost(WAIT);
        MigrationCatalog catalog = catalog(Map.of("001_r.sql",
                "-- flotilla:default dims=1536\n-- flotilla:default tier=free\n"
                        + "CREATE TABLE ${schema}.r (d int DEFAULT ${dims}, t text DEFAULT '${tier}', l text DEFAULT '${label}');"));
        assertTrue(migrate(updated, catalog).succeeded());
        assertEquals(List.of("768", "'free'::text", "'gold'::text"), Sql.column(ds, "SELECT column_default FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = 'r' ORDER BY ordinal_position", c.schemaName()));
    }

    @Test
    void concurrentAppliesOnOneSchemaApplyEachVersionOnce() throws IOException {
        Company c = company(Sql.unique("race"));
        MigrationCatalog catalog = catalog(Map.of(
                "001_slow.sql", "SELECT pg_sleep(0.5);\nCREATE TABLE slow (id int);",
                "002_next.sql", "CREATE TABLE next (id int);",
                "003_idx.sql", "CREATE INDEX CONCURRENTLY next_id ON next (id);"));
        List<ApplyResult> results = Uni.join().all(
                        migrator.migrate(c, catalog, false), migrator.migrate(c, catalog, false),
                        migrator.migrate(c, catalog, false))
                .andFailFast().await().atMost(WAIT);
        assertTrue(results.stream().allMatch(ApplyResult::succeeded));
        assertEquals(3, results.stream().mapToInt(r -> r.applied().size()).sum(), "each version applied by exactly one run");
        assertEquals(List.of("1:applied", "2:applied", "3:applied"), ledgerStatuses(c));
    }

    @Test
    void aHeldSchemaLockMakesTheApplyGiveUpWithSchemaBusy() throws Exception {
        Company c = company(Sql.unique("busy"));
        MigrationCatalog catalog = catalog(Map.of("001_a.sql", "CREATE TABLE a (id int);"));
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('" + c.schemaName() + "'))");
            FlotillaException e = assertThrows(FlotillaException.class, () -> migrate(c, catalog));
            assertEquals(ErrorCode.SCHEMA_BUSY, e.code());
            st.execute("SELECT pg_advisory_unlock_all()");
        }
        assertEquals(List.of(), ledgerStatuses(c));
        assertTrue(migrate(c, catalog).succeeded(), "the lock is free again");
    }

    @Test
    void aRunningRowLeftByADeadProcessIsClosedAndTheVersionReapplied() throws IOException {
        Company c = company(Sql.unique("dead"));
        MigrationCatalog catalog = catalog(Map.of("001_a.sql", "CREATE TABLE a (id int);"));
        Sql.execute(ds, "INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key, name, script,"
                + " direction, status, checksum, transactional, executed_by) VALUES (gen_random_uuid(), ?::uuid, ?, '1', '{1}', 'a',"
                + " '001_a.sql', 'up', 'running', ?, true, 'dead-host')", c.id().toString(), c.schemaName(),
                catalog.migrations().get(0).checksum());
        assertEquals(MigrationState.RUNNING, MigrationInfo.of(catalog, ledger.history(null, c.id()).await().atMost(WAIT)).get(0).state());

        ApplyResult result = migrate(c, catalog);
        assertEquals(List.of("1"), result.applied());
        assertEquals(List.of("1:failed", "1:applied"), ledgerStatuses(c));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid"
                + " AND executed_by = 'dead-host' AND error LIKE 'interrupted%'", c.id().toString()));
    }

    @Test
    void driftIsRefusedUnlessAllowedAndShownInTheState() throws IOException {
        Company c = company(Sql.unique("drift"));
        assertTrue(migrate(c, catalog(Map.of("001_a.sql", "CREATE TABLE a (id int);"))).succeeded());
        MigrationCatalog changed = catalog(Map.of("001_a.sql", "CREATE TABLE a (id bigint);", "002_b.sql", "CREATE TABLE b (id int);"));

        FlotillaException e = assertThrows(FlotillaException.class, () -> migrate(c, changed));
        assertEquals(ErrorCode.DRIFT_DETECTED, e.code());
        assertEquals(List.of("a"), Sql.tables(ds, c.schemaName()));
        var info = MigrationInfo.of(changed, ledger.history(null, c.id()).await().atMost(WAIT));
        assertTrue(info.get(0).drifted());
        assertFalse(info.get(1).drifted());

        ApplyResult allowed = migrator.migrate(c, changed, true).await().atMost(WAIT);
        assertEquals(List.of("2"), allowed.applied());
    }

    @Test
    void versionsGoneFromTheCatalogShowAsMissing() throws IOException {
        Company c = company(Sql.unique("gone"));
        assertTrue(migrate(c, catalog(Map.of("001_a.sql", "CREATE TABLE a (id int);", "002_b.sql", "CREATE TABLE b (id int);"))).succeeded());
        var info = MigrationInfo.of(catalog(Map.of("001_a.sql", "CREATE TABLE a (id int);")),
                ledger.history(null, c.id()).await().atMost(WAIT));
        assertEquals(List.of(MigrationState.APPLIED, MigrationState.MISSING), info.stream().map(MigrationInfo::state).toList());
    }

    @Test
    void aMissingSchemaIsRefusedAndNothingLandsInPublic() throws IOException {
        Company c = company(Sql.unique("vanished"));
        Sql.execute(ds, "DROP SCHEMA " + c.schemaName());
        String table = Sql.unique("should_not_exist");
        FlotillaException e = assertThrows(FlotillaException.class,
                () -> migrate(c, catalog(Map.of("001_a.sql", "CREATE TABLE " + table + " (id int);"))));
        assertEquals(ErrorCode.SCHEMA_MISSING, e.code());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM pg_tables WHERE tablename = ?", table));
    }

    @Test
    void pooledSessionsComeBackClean() throws IOException {
        Company c = company(Sql.unique("clean"));
        assertTrue(migrate(c, catalog(Map.of("001_idx.sql",
                "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);"))).succeeded());
        // The schema's advisory lock does not survive the run on any pooled session. Only this schema's: pg_locks
        // is the whole server's, and a rollout another test class left running holds locks of its own schemas.
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ?"
                        + " AND objid = hashtext(?)::oid AND database = (SELECT oid FROM pg_database"
                        + " WHERE datname = current_database())",
                (long) AdvisoryLocks.SCHEMA_NAMESPACE, c.schemaName()));
    }

    /** The pg_trgm catalog of the layout suite: an extension, then its operator classes, one step without a transaction. */
    MigrationCatalog trigramCatalog() throws IOException {
        return catalog(Map.of(
                "001_notes.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
                        + "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);",
                "002_body_trgm.sql", "CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);",
                "003_title.sql", "ALTER TABLE notes ADD COLUMN title text;\n"
                        + "CREATE INDEX notes_title_trgm ON notes USING gist (title gist_trgm_ops);"));
    }

    /** No pg_trgm anywhere, as on a database no migration touched yet (indexes of earlier runs go with it). */
    void withoutTrigram() {
        Sql.execute(ds, "DROP EXTENSION IF EXISTS pg_trgm CASCADE");
    }

    void assertTrigramEverywhere(Company... all) {
        assertEquals(List.of("public"), Sql.column(ds, "SELECT n.nspname FROM pg_extension e"
                + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"));
        for (Company c : all) {
            assertEquals(List.of("notes_body_trgm:true", "notes_title_trgm:true"), Sql.column(ds,
                    "SELECT c.relname || ':' || i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?"
                            + " AND c.relname LIKE '%trgm' ORDER BY 1", c.schemaName()), c.schemaName());
        }
    }

    /**
     * A migration's CREATE EXTENSION runs under the company's search path: left alone, it installs the extension into
     * the first company's schema, and the second company's use of its operator classes fails. The executor creates
     * it in the shared schema first, so both companies see it.
     */
    @Test
    void anExtensionAMigrationCreatesGoesToTheSharedSchemaForEveryCompany() throws IOException {
        withoutTrigram();
        MigrationCatalog catalog = trigramCatalog();
        Company first = company(Sql.unique("ext_a"));
        Company second = company(Sql.unique("ext_b"));

        ApplyResult a = migrate(first, catalog);
        ApplyResult b = migrate(second, catalog);

        assertTrue(a.succeeded(), () -> String.valueOf(a.failure()));
        assertTrue(b.succeeded(), () -> String.valueOf(b.failure()));
        assertTrigramEverywhere(first, second);
    }

    /** Companies migrating at once both create the extension: one does, the other waits for it and finds it there. */
    @Test
    void companiesCreatingTheSameExtensionAtOnceDoNotCollide() throws IOException {
        withoutTrigram();
        MigrationCatalog catalog = trigramCatalog();
        List<Company> all = List.of(company(Sql.unique("ext_p")), company(Sql.unique("ext_q")),
                company(Sql.unique("ext_r")));

        List<ApplyResult> results = Uni.join().all(all.stream().map(c -> migrator.migrate(c, catalog, false)).toList())
                .andCollectFailures().await().atMost(WAIT);

        results.forEach(r -> assertTrue(r.succeeded(), () -> String.valueOf(r.failure())));
        assertTrigramEverywhere(all.toArray(Company[]::new));
    }

    /** A non-transactional file creates its extensions in the shared schema first too, as a statement of its own. */
    @Test
    void aNonTransactionalFileCreatesItsExtensionInTheSharedSchemaFirst() throws IOException {
        withoutTrigram();
        MigrationCatalog catalog = catalog(Map.of(
                "001_notes.sql", "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL, title text);",
                "002_trgm.sql", "-- flotilla:no-transaction\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
                        + "CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);\n"
                        + "CREATE INDEX CONCURRENTLY notes_title_trgm ON notes USING gist (title gist_trgm_ops);"));
        assertFalse(catalog.migrations().get(1).transactional());
        Company first = company(Sql.unique("ext_nt_a"));
        Company second = company(Sql.unique("ext_nt_b"));

        ApplyResult a = migrate(first, catalog);
        ApplyResult b = migrate(second, catalog);

        assertTrue(a.succeeded(), () -> String.valueOf(a.failure()));
        assertTrue(b.succeeded(), () -> String.valueOf(b.failure()));
        assertTrigramEverywhere(first, second);
    }
}
