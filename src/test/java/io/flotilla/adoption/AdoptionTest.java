package io.flotilla.adoption;

import io.flotilla.adoption.AdoptionService.AdoptRequest;
import io.flotilla.adoption.AdoptionService.Adoption;
import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.catalog.Version;
import io.flotilla.tenant.CompanyService.NewCompany;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adoption against the real PostgreSQL: schemas migrated by real Flyway (through its Java API) and schemas carrying
 * golang-migrate's, dbmate's, goose's and Prisma's history tables as those tools define them. What is adopted is the
 * history's state, recorded as adopted steps with the company row; the next run applies only what the schema lacks;
 * every refusal leaves nothing behind, and the other tool's table is never written.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AdoptionTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    static final String V1 = "CREATE TABLE post (id bigint PRIMARY KEY, title text NOT NULL);\n";
    static final String V2 = "CREATE TABLE comment (id bigint PRIMARY KEY, post_id bigint NOT NULL REFERENCES post (id),"
            + "\r\n    body text);\n";
    static final String V3 = "CREATE TABLE tag (id bigint PRIMARY KEY, name text);\n";

    @Inject
    AdoptionService adoption;
    @Inject
    SchemaMigrator migrator;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    // --- Flyway, migrated by Flyway itself -------------------------------------------------------------------------

    @Test
    void flywayHistoryIsAdoptedAndTheNextRunAppliesOnlyTheNewVersion() throws IOException {
        String schema = Sql.unique("adopt_fw");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1, "V2__comment.sql", V2));
        String before = digest(schema, "flyway_schema_history");

        Adoption adopted = adopt(schema, catalog(files), false, null);

        assertTrue(adopted.created());
        assertEquals("flyway", adopted.tool());
        assertEquals("flyway_schema_history", adopted.historyTable());
        assertEquals(List.of("1", "2"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
        assertFalse(adopted.drifted());
        assertEquals(List.of("1:adopted", "2:adopted"), Sql.column(ds, "SELECT version || ':' || status"
                + " FROM public.migration_ledger WHERE company_id = ? ORDER BY id", adopted.company().id()));
        assertEquals(List.of("1", "2"), Sql.column(ds, "SELECT version FROM public.migration_state"
                + " WHERE company_id = ? AND applied ORDER BY version_key", adopted.company().id()));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.adoptions WHERE company_id = ? AND NOT drifted",
                adopted.company().id()));

        // The next run (a rollout's step for this company) applies V3 only: V1 and V2 are there already.
        Files.writeString(files.resolve("V3__tag.sql"), V3);
        ApplyResult next = migrator.migrate(adopted.company(), catalog(files), false).await().atMost(WAIT);
        assertTrue(next.succeeded(), String.valueOf(next.failure()));
        assertEquals(List.of("3"), next.applied());
        assertEquals(List.of("comment", "flyway_schema_history", "post", "tag"), Sql.tables(ds, schema));

        // Adopting it again does nothing; Flyway's table is as Flyway left it.
        Adoption again = adopt(schema, catalog(files), false, null);
        assertFalse(again.created());
        assertEquals(adopted.company().id(), again.company().id());
        assertEquals(3, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?",
                adopted.company().id()));
        assertEquals(before, digest(schema, "flyway_schema_history"));
    }

    @Test
    void aHistoryTableUnderAnotherNameIsReadWhenTheRequestNamesIt() throws IOException {
        String schema = Sql.unique("adopt_fwt");
        Path files = files(Map.of("V1__post.sql", V1));
        Flyway.configure().dataSource(ds).schemas(schema).table("schema_history").locations("filesystem:" + files)
                .load().migrate();
        MigrationCatalog catalog = catalog(files);

        assertEquals(List.of(Refusal.Reason.NO_HISTORY), reasons(refused(schema, catalog, false, null)));
        Adoption adopted = adoption.adopt(new AdoptRequest(new NewCompany("Co " + schema, schema, null, Map.of(), null),
                false, null, "schema_history"), catalog).await().atMost(WAIT);
        assertEquals("schema_history", adopted.historyTable());
        assertEquals(List.of("1"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
    }

    @Test
    void flywaysRepeatableMigrationsAreNotAdoptedAndRunOnceOnTheNextRun() throws IOException {
        String schema = Sql.unique("adopt_fwr");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1,
                "R__titles.sql", "CREATE OR REPLACE VIEW titles AS SELECT title FROM post;\n"));
        MigrationCatalog catalog = catalog(files);

        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals(List.of("1"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());

        ApplyResult next = migrator.migrate(adopted.company(), catalog, false).await().atMost(WAIT);
        assertTrue(next.succeeded(), String.valueOf(next.failure()));
        assertEquals(List.of(), next.applied());
        assertEquals(List.of("titles"), next.repeatables());
    }

    @Test
    void aFailedFlywayRowIsRefusedAndNothingIsRecorded() throws IOException {
        String schema = Sql.unique("adopt_fwf");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1, "V2__comment.sql", V2));
        // What Flyway leaves where a migration failed outside a transaction.
        execute("UPDATE " + schema + ".flyway_schema_history SET success = false WHERE version = '2'");

        FlotillaException e = refused(schema, catalog(files), false, null);

        assertEquals(List.of(Refusal.Reason.FAILED_STEP), reasons(e));
        assertNothingRecorded(schema);
    }

    @Test
    void aChangedFileIsAChecksumMismatch() throws IOException {
        String schema = Sql.unique("adopt_fwc");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1, "V2__comment.sql", V2));
        Files.writeString(files.resolve("V2__comment.sql"), V2.replace("body text", "body text NOT NULL"));

        FlotillaException e = refused(schema, catalog(files), false, null);

        assertEquals(List.of(Refusal.Reason.CHECKSUM_MISMATCH), reasons(e));
        assertTrue(e.getMessage().contains("V2__comment.sql"), e.getMessage());
        assertNothingRecorded(schema);
    }

    @Test
    void aVersionTheCatalogLacksIsRefused() throws IOException {
        String schema = Sql.unique("adopt_fwu");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1, "V2__comment.sql", V2));
        Files.delete(files.resolve("V2__comment.sql"));

        FlotillaException e = refused(schema, catalog(files), false, null);

        assertEquals(List.of(Refusal.Reason.UNKNOWN_VERSION), reasons(e));
        assertNothingRecorded(schema);
    }

    @Test
    void aDriftedShapeIsRefusedUnlessDriftIsAccepted() throws IOException {
        String schema = Sql.unique("adopt_fwd");
        Path files = flywayMigrated(schema, Map.of("V1__post.sql", V1, "V2__comment.sql", V2));
        execute("CREATE TABLE " + schema + ".hand_made (id int)");
        MigrationCatalog catalog = catalog(files);

        FlotillaException e = refused(schema, catalog, false, null);
        assertEquals(List.of(Refusal.Reason.SHAPE_DIFFERS), reasons(e));
        assertTrue(e.extensions().containsKey("verification"));
        assertNothingRecorded(schema);

        Adoption adopted = adopt(schema, catalog, true, null);
        assertTrue(adopted.drifted());
        assertEquals(List.of("hand_made"), adopted.verification().extraTables());
        assertEquals(List.of("[\"hand_made\"]"), Sql.column(ds, "SELECT differences->'extraTables' FROM"
                + " public.adoptions WHERE company_id = ? AND drifted", adopted.company().id()));
        assertEquals(2, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?"
                + " AND status = 'adopted'", adopted.company().id()));
    }

    // --- the other tools, their tables written as they define them ---------------------------------------------------

    @Test
    void golangMigrateAdoptsEverythingUpToItsVersionAndRefusesADirtyOne() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of("1_post.up.sql", V1, "1_post.down.sql", "DROP TABLE post;",
                "2_comment.up.sql", V2, "2_comment.down.sql", "DROP TABLE comment;")));
        String schema = built("adopt_gm", V1, V2);
        String table = "CREATE TABLE %s.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)";
        execute(table.formatted(schema));
        execute("INSERT INTO " + schema + ".schema_migrations VALUES (2, false)");

        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals("golang-migrate", adopted.tool());
        assertEquals(List.of("1", "2"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
        // Rollback goes down through adopted versions with the catalog's down files.
        ApplyResult down = migrator.migrate(adopted.company(), catalog, new Target(Direction.DOWN, Version.parse("1")),
                false, UUID.randomUUID()).await().atMost(WAIT);
        assertTrue(down.succeeded(), String.valueOf(down.failure()));
        assertEquals(List.of("2"), down.applied());
        assertEquals(List.of("post", "schema_migrations"), Sql.tables(ds, schema));

        String dirty = built("adopt_gmd", V1, V2);
        execute(table.formatted(dirty));
        execute("INSERT INTO " + dirty + ".schema_migrations VALUES (2, true)");
        assertEquals(List.of(Refusal.Reason.DIRTY_HISTORY), reasons(refused(dirty, catalog, false, null)));
        assertNothingRecorded(dirty);
    }

    @Test
    void dbmateAdoptsEachRecordedVersion() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of(
                "20240101000000_post.sql", "-- migrate:up\n" + V1 + "\n-- migrate:down\nDROP TABLE post;\n",
                "20240102000000_comment.sql", "-- migrate:up\n" + V2 + "\n-- migrate:down\nDROP TABLE comment;\n")));
        String schema = built("adopt_dbm", V1, V2);
        execute("CREATE TABLE " + schema + ".schema_migrations (version varchar(128) PRIMARY KEY)");
        execute("INSERT INTO " + schema + ".schema_migrations VALUES ('20240101000000'), ('20240102000000')");

        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals("dbmate", adopted.tool());
        assertEquals(List.of("20240101000000", "20240102000000"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
    }

    @Test
    void gooseAdoptsTheVersionsWhoseLastRowIsApplied() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of(
                "00001_post.sql", "-- +goose Up\n" + V1 + "\n-- +goose Down\nDROP TABLE post;\n",
                "00002_comment.sql", "-- +goose Up\n" + V2 + "\n-- +goose Down\nDROP TABLE comment;\n")));
        String schema = built("adopt_gs", V1);
        execute("CREATE TABLE " + schema + ".goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL,"
                + " is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())");
        // 2 went up and came down again: only 1 stands.
        execute("INSERT INTO " + schema + ".goose_db_version (version_id, is_applied) VALUES (0, true), (1, true),"
                + " (2, true), (2, false)");

        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals("goose", adopted.tool());
        assertEquals(List.of("1"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
        ApplyResult next = migrator.migrate(adopted.company(), catalog, false).await().atMost(WAIT);
        assertEquals(List.of("2"), next.applied());
    }

    @Test
    void prismaComparesItsSha256AndRefusesAnUnfinishedMigration() throws IOException {
        Path files = Files.createTempDirectory(dir, "prisma");
        Map<String, String> migrations = new LinkedHashMap<>();
        migrations.put("20240101000000_post", V1);
        migrations.put("20240102000000_comment", V2);
        for (var m : migrations.entrySet()) {
            Files.createDirectories(files.resolve(m.getKey()));
            Files.writeString(files.resolve(m.getKey()).resolve("migration.sql"), m.getValue());
        }
        MigrationCatalog catalog = catalog(files);
        String table = "CREATE TABLE %s._prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,"
                + " finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,"
                + " started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)";
        String row = "INSERT INTO %s._prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)"
                + " VALUES (gen_random_uuid()::text, '%s', %s, '%s', 1)";

        String schema = built("adopt_pr", V1, V2);
        execute(table.formatted(schema));
        for (var m : migrations.entrySet()) {
            execute(row.formatted(schema, sha256(m.getValue()), "now()", m.getKey()));
        }
        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals("prisma", adopted.tool());
        assertEquals(List.of("20240101000000", "20240102000000"), adopted.versions());

        String unfinished = built("adopt_pru", V1, V2);
        execute(table.formatted(unfinished));
        execute(row.formatted(unfinished, sha256(V1), "now()", "20240101000000_post"));
        execute(row.formatted(unfinished, sha256(V2), "NULL", "20240102000000_comment"));
        assertEquals(List.of(Refusal.Reason.FAILED_STEP), reasons(refused(unfinished, catalog, false, null)));
        assertNothingRecorded(unfinished);

        String changed = built("adopt_prc", V1, V2);
        execute(table.formatted(changed));
        execute(row.formatted(changed, sha256(V1), "now()", "20240101000000_post"));
        execute(row.formatted(changed, sha256(V2 + "-- edited\n"), "now()", "20240102000000_comment"));
        assertEquals(List.of(Refusal.Reason.CHECKSUM_MISMATCH), reasons(refused(changed, catalog, false, null)));
    }

    @Test
    void liquibaseChangesetsAreMatchedByAuthorAndIdAndAFailedOneIsRefused() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of("changelog.sql", "--liquibase formatted sql\n\n"
                + "--changeset alice:create_post\n" + V1 + "--rollback DROP TABLE post;\n\n"
                + "--changeset alice:create_comment\n" + V2 + "--rollback DROP TABLE comment;\n")));
        String table = "CREATE TABLE %1$s.databasechangelog (id varchar(255) NOT NULL, author varchar(255) NOT NULL,"
                + " filename varchar(255) NOT NULL, dateexecuted timestamp NOT NULL, orderexecuted integer NOT NULL,"
                + " exectype varchar(10) NOT NULL, md5sum varchar(35), description varchar(255), comments varchar(255),"
                + " tag varchar(255), liquibase varchar(20), contexts varchar(255), labels varchar(255),"
                + " deployment_id varchar(10));"
                + " CREATE TABLE %1$s.databasechangeloglock (id integer PRIMARY KEY, locked boolean NOT NULL,"
                + " lockgranted timestamp, lockedby varchar(255))";
        String row = "INSERT INTO %s.databasechangelog (id, author, filename, dateexecuted, orderexecuted, exectype,"
                + " md5sum, liquibase) VALUES ('%s', 'alice', 'changelog.sql', now(), %d, '%s', '9:0', '4.29.2')";

        String schema = built("adopt_lq", V1, V2);
        execute(table.formatted(schema));
        execute(row.formatted(schema, "create_post", 1, "EXECUTED"));
        execute(row.formatted(schema, "create_comment", 2, "EXECUTED"));
        Adoption adopted = adopt(schema, catalog, false, null);
        assertEquals("liquibase", adopted.tool());
        assertEquals(List.of("1", "2"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());

        String failed = built("adopt_lqf", V1);
        execute(table.formatted(failed));
        execute(row.formatted(failed, "create_post", 1, "EXECUTED"));
        execute(row.formatted(failed, "create_comment", 2, "FAILED"));
        assertEquals(List.of(Refusal.Reason.FAILED_STEP), reasons(refused(failed, catalog, false, null)));
        assertNothingRecorded(failed);

        String unknown = built("adopt_lqu", V1);
        execute(table.formatted(unknown));
        execute(row.formatted(unknown, "create_post_v0", 1, "EXECUTED"));
        assertEquals(List.of(Refusal.Reason.UNKNOWN_VERSION), reasons(refused(unknown, catalog, false, null)));
    }

    // --- without a history table ---------------------------------------------------------------------------------

    @Test
    void withoutAHistoryTableOnlyABaselineAdopts() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of("001_post.sql", V1, "002_comment.sql", V2,
                "003_tag.sql", V3)));
        String schema = built("adopt_bl", V1, V2);

        assertEquals(List.of(Refusal.Reason.NO_HISTORY), reasons(refused(schema, catalog, false, null)));
        assertNothingRecorded(schema);
        // A baseline past what the schema has is a drifted shape: tag is missing.
        assertEquals(List.of(Refusal.Reason.SHAPE_DIFFERS), reasons(refused(schema, catalog, false, "3")));
        assertNothingRecorded(schema);

        Adoption adopted = adopt(schema, catalog, false, "2");
        assertEquals("baseline", adopted.tool());
        assertEquals(List.of("1", "2"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
        assertEquals(List.of("3"), migrator.migrate(adopted.company(), catalog, false).await().atMost(WAIT).applied());
    }

    @Test
    void adoptionWaitsForTheSchemaLockAndGivesUpWithNothingRecorded() throws IOException, SQLException {
        MigrationCatalog catalog = catalog(files(Map.of("001_post.sql", V1)));
        String schema = built("adopt_lock", V1);
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            // What a rollout migrating this schema holds (AdvisoryLocks): the adoption must not interleave with it.
            s.execute("SELECT pg_advisory_lock(" + io.flotilla.sql.AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('"
                    + schema + "'))");
            FlotillaException busy = assertThrows(FlotillaException.class, () -> adopt(schema, catalog, false, "1"));
            assertEquals(ErrorCode.SCHEMA_BUSY, busy.code());
            assertNothingRecorded(schema);
            // A pooled connection outlives this block: the session lock goes only when unlocked.
            s.execute("SELECT pg_advisory_unlock(" + io.flotilla.sql.AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('"
                    + schema + "'))");
        }
        assertEquals(List.of("1"), adopt(schema, catalog, false, "1").versions());
    }

    @Test
    void aMissingSchemaIsNotAdopted() throws IOException {
        MigrationCatalog catalog = catalog(files(Map.of("001_post.sql", V1)));
        FlotillaException e = assertThrows(FlotillaException.class, () -> adopt(Sql.unique("adopt_none"), catalog,
                false, "1"));
        assertEquals(ErrorCode.SCHEMA_MISSING, e.code());
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private Adoption adopt(String schema, MigrationCatalog catalog, boolean acceptDrift, String baseline) {
        return adoption.adopt(new AdoptRequest(new NewCompany("Co " + schema, schema, null, Map.of(), null),
                acceptDrift, baseline, null), catalog).await().atMost(WAIT);
    }

    private FlotillaException refused(String schema, MigrationCatalog catalog, boolean acceptDrift, String baseline) {
        FlotillaException e = assertThrows(FlotillaException.class, () -> adopt(schema, catalog, acceptDrift, baseline));
        assertEquals(ErrorCode.ADOPTION_REFUSED, e.code(), e.getMessage());
        return e;
    }

    @SuppressWarnings("unchecked")
    private static List<Refusal.Reason> reasons(FlotillaException e) {
        return ((List<Refusal>) e.extensions().get("refusals")).stream().map(Refusal::reason).toList();
    }

    private void assertNothingRecorded(String schema) {
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE schema_name = ?", schema));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.adoptions WHERE schema_name = ?", schema));
    }

    /** A schema Flyway migrated from these files, through its Java API; the directory, for the catalog. */
    private Path flywayMigrated(String schema, Map<String, String> sql) throws IOException {
        Path files = files(sql);
        Flyway.configure().dataSource(ds).schemas(schema).locations("filesystem:" + files).load().migrate();
        return files;
    }

    private Path files(Map<String, String> sql) throws IOException {
        Path files = Files.createTempDirectory(dir, "catalog");
        for (var f : sql.entrySet()) {
            Files.writeString(files.resolve(f.getKey()), f.getValue());
        }
        return files;
    }

    private static MigrationCatalog catalog(Path files) {
        return MigrationResolver.resolve(files, true).orThrow();
    }

    /** A new schema with these scripts run in it, as the other tool would have. */
    private String built(String prefix, String... scripts) {
        String schema = Sql.unique(prefix);
        execute("CREATE SCHEMA " + schema);
        for (String script : scripts) {
            execute("SET search_path TO " + schema + "; " + script + "; RESET search_path");
        }
        return schema;
    }

    private void execute(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private String digest(String schema, String table) {
        return Sql.column(ds, "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM " + schema + "." + table
                + " t").get(0);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
