package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.MigrationResolver.Resolution;
import io.flotilla.sql.SqlScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqitch projects and Liquibase formatted SQL read in place: order and names from the tool's own listing (the plan,
 * the changesets), rollbacks, the tool's transaction handling mapped onto Flotilla's, and everything Flotilla cannot
 * honour refused with the file (and the plan line or changeset) named.
 */
class SqitchAndLiquibaseLayoutsTest {

    /** The sample directories another suite onboards companies with: both must read as the same three steps. */
    static final Path SAMPLES = Path.of("src/test/resources/layouts");

    @TempDir
    Path dir;

    private void write(String name, String sql) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, sql, UTF_8);
    }

    private MigrationCatalog resolveOk() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertEquals(List.of(), resolution.problems(), "unexpected problems");
        return resolution.orThrow();
    }

    private CatalogProblem problem(Kind kind) {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertTrue(resolution.catalog().isEmpty(), "a resolution with problems has no catalog");
        List<CatalogProblem> ofKind = resolution.problems().stream().filter(p -> p.kind() == kind).toList();
        assertEquals(1, ofKind.size(), () -> "expected exactly one " + kind + " in " + resolution.problems());
        return ofKind.get(0);
    }

    private static List<String> names(MigrationCatalog catalog) {
        return catalog.migrations().stream().map(Migration::name).toList();
    }

    private static List<String> statements(MigrationScript script) {
        return SqlScript.split(script.sql());
    }

    @Nested
    class Samples {

        private void threeNotesSteps(String layout, Layout expected, List<String> names) {
            MigrationCatalog catalog = MigrationResolver.resolve(SAMPLES.resolve(layout), true).orThrow();

            assertEquals(expected, catalog.layout());
            assertEquals(List.of("1", "2", "3"), catalog.migrations().stream().map(m -> m.version().toString()).toList());
            assertEquals(names, names(catalog));
            List<Migration> m = catalog.migrations();
            assertEquals(List.of("CREATE EXTENSION IF NOT EXISTS pg_trgm",
                    "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL)"), statements(m.get(0).up()));
            assertEquals(List.of("DROP TABLE notes"), statements(m.get(0).rollback().orElseThrow()));
            assertEquals(List.of("CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops)"),
                    statements(m.get(1).up()));
            assertEquals(List.of("DROP INDEX CONCURRENTLY IF EXISTS notes_body_trgm"),
                    statements(m.get(1).rollback().orElseThrow()));
            assertEquals(List.of("ALTER TABLE notes ADD COLUMN title text",
                    "CREATE INDEX notes_title_trgm ON notes USING gist (title gist_trgm_ops)"), statements(m.get(2).up()));
            assertEquals(List.of("DROP INDEX notes_title_trgm", "ALTER TABLE notes DROP COLUMN title"),
                    statements(m.get(2).rollback().orElseThrow()));
            assertEquals(List.of(true, false, true), m.stream().map(Migration::transactional).toList());
            assertFalse(m.get(1).rollback().orElseThrow().transactional());
        }

        @Test
        void sqitchSampleIsThreeStepsWithRollbacks() {
            threeNotesSteps("sqitch", Layout.SQITCH, List.of("notes", "notes_body_trgm", "notes_title"));
        }

        @Test
        void liquibaseSampleIsThreeStepsWithRollbacks() {
            threeNotesSteps("liquibase", Layout.LIQUIBASE, List.of("1 (sam)", "2 (sam)", "3 (sam)"));
        }
    }

    @Nested
    class Sqitch {

        private void plan(String... changes) throws IOException {
            write("sqitch.plan", "%syntax-version=1.0.0\n%project=shop\n\n" + String.join("\n", changes) + "\n");
        }

        private static String line(String change) {
            return change + " 2024-01-01T00:00:00Z Pat <pat@example.com> # note";
        }

        @Test
        void thePlanOrdersAndNamesNotTheFileNames() throws IOException {
            plan(line("zebra"), line("apple [zebra]"), "@v1 2024-01-02T00:00:00Z Pat <pat@example.com>", line("mango"));
            write("deploy/zebra.sql", "CREATE TABLE zebra (id int);\n");
            write("deploy/apple.sql", "CREATE TABLE apple (id int);\n");
            write("deploy/mango.sql", "CREATE TABLE mango (id int);\n");
            write("revert/zebra.sql", "DROP TABLE zebra;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.SQITCH, catalog.layout());
            assertEquals(List.of("zebra", "apple", "mango"), names(catalog));
            assertEquals("deploy/apple.sql", catalog.migrations().get(1).up().file());
            assertEquals("revert/zebra.sql", catalog.migrations().get(0).rollback().orElseThrow().file());
            assertTrue(catalog.migrations().get(1).rollback().isEmpty(), "no revert script, no rollback");
        }

        @Test
        void beginAndCommitAreRemovedDirectivesStillReadAndTheChecksumCoversWhatRuns() throws IOException {
            plan(line("users"));
            write("deploy/users.sql", """
                    -- Deploy shop:users to pg
                    -- flotilla:requires-extension pgcrypto
                    -- BEGIN and COMMIT in a comment are not statements.

                    BEGIN;

                    CREATE TABLE users (id uuid DEFAULT gen_random_uuid());

                    COMMIT;
                    """);

            MigrationScript up = resolveOk().migrations().get(0).up();

            assertEquals(List.of("CREATE TABLE users (id uuid DEFAULT gen_random_uuid())"), statements(up));
            assertTrue(up.sql().contains("-- BEGIN and COMMIT in a comment are not statements."), up.sql());
            assertEquals(10, up.sql().split("\n", -1).length, "lines kept: " + up.sql());
            assertTrue(up.transactional());
            assertEquals(List.of("pgcrypto"), up.requires());
            assertEquals(MigrationResolver.sha256(up.sql()), up.checksum());
        }

        @Test
        void aScriptWithoutBeginAndCommitRunsAsFlotillasDefault() throws IOException {
            plan(line("idx"));
            write("deploy/idx.sql", "CREATE INDEX CONCURRENTLY t_x ON t (x);\n");

            assertFalse(resolveOk().migrations().get(0).transactional());
        }

        @Test
        void aTransactionStatementInTheMiddleIsRefusedNamingTheFile() throws IOException {
            plan(line("users"));
            write("deploy/users.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n");
            write("revert/users.sql", "BEGIN;\nDROP TABLE b;\nCOMMIT;\nBEGIN;\nDROP TABLE a;\nCOMMIT;\n");

            Resolution resolution = MigrationResolver.resolve(dir, true);

            List<String> files = resolution.problems().stream().flatMap(p -> p.files().stream()).sorted().toList();
            assertEquals(List.of("deploy/users.sql", "revert/users.sql"), files, resolution.problems().toString());
            assertTrue(resolution.problems().get(1).message().contains("COMMIT between its first and last"),
                    resolution.problems().toString());
        }

        @Test
        void aBeginWithoutCommitIsRefused() throws IOException {
            plan(line("users"));
            write("deploy/users.sql", "BEGIN;\nCREATE TABLE a (id int);\n");

            CatalogProblem p = problem(Kind.TRANSACTION_CONTROL);
            assertEquals(List.of("deploy/users.sql"), p.files());
            assertTrue(p.message().contains("does not end with COMMIT"), p.message());
        }

        @Test
        void aDependencyOnALaterOrUnknownChangeIsRefused() throws IOException {
            plan(line("orders [users]"), line("users"));
            write("deploy/orders.sql", "SELECT 1;\n");
            write("deploy/users.sql", "SELECT 1;\n");

            CatalogProblem p = problem(Kind.INVALID_DIRECTIVE);
            assertEquals(List.of("sqitch.plan"), p.files());
            assertTrue(p.message().startsWith("sqitch.plan line 4 makes change orders require users"), p.message());
        }

        @Test
        void anotherProjectsDependencyIsRefused() throws IOException {
            plan(line("orders [billing:invoices]"));
            write("deploy/orders.sql", "SELECT 1;\n");

            assertTrue(problem(Kind.INVALID_DIRECTIVE).message().contains("another project"));
        }

        @Test
        void aReworkedChangeReadsItsEarlierInstanceFromTheTaggedScript() throws IOException {
            plan(line("fn"), "@v1.0 2024-01-02T00:00:00Z Pat <pat@example.com> # v1", line("other"),
                    line("fn [fn@v1.0]"));
            write("deploy/fn@v1.0.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
            write("revert/fn@v1.0.sql", "DROP FUNCTION f();\n");
            write("deploy/other.sql", "SELECT 1;\n");
            write("deploy/fn.sql", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n");
            write("revert/fn.sql", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("fn", "other", "fn"), names(catalog));
            assertEquals("deploy/fn@v1.0.sql", catalog.migrations().get(0).up().file());
            assertEquals("revert/fn@v1.0.sql", catalog.migrations().get(0).rollback().orElseThrow().file());
            assertEquals("deploy/fn.sql", catalog.migrations().get(2).up().file());
        }

        @Test
        void aRepeatedNameWithoutATagIsRefused() throws IOException {
            plan(line("fn"), line("fn"));
            write("deploy/fn.sql", "SELECT 1;\n");

            assertTrue(problem(Kind.INVALID_DIRECTIVE).message().contains("repeats change fn with no tag"));
        }

        @Test
        void aMissingDeployScriptIsNamed() throws IOException {
            plan(line("users"));

            CatalogProblem p = problem(Kind.UNRECOGNISED_FILE);
            assertEquals(List.of("sqitch.plan", "deploy/users.sql"), p.files());
        }

        @Test
        void anEmptyPlanIsAnEmptySqitchCatalog() throws IOException {
            plan();

            MigrationCatalog catalog = resolveOk();
            assertEquals(Layout.SQITCH, catalog.layout());
            assertEquals(List.of(), catalog.migrations());
        }

        @Test
        void flotillaFilesBesideAPlanAreMixedLayouts() throws IOException {
            plan(line("users"));
            write("deploy/users.sql", "SELECT 1;\n");
            write("001_init.sql", "SELECT 1;\n");

            assertEquals(List.of("sqitch.plan", "001_init.sql"), problem(Kind.MIXED_LAYOUTS).files());
        }
    }

    @Nested
    class Liquibase {

        @Test
        void changesetsInFileOrderFilesInNameOrderNumberedAcrossTheDirectory() throws IOException {
            write("b.sql", "--liquibase formatted sql\n--changeset ann:c3\nCREATE TABLE c (id int);\n");
            write("a.sql", """
                    --liquibase formatted sql

                    --changeset bob:z1
                    CREATE TABLE z (id int);
                    --rollback DROP TABLE z;

                    --changeset bob:a2 context:test labels:x splitStatements:false stripComments:true endDelimiter:;
                    CREATE TABLE a (id int);
                    """);

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.LIQUIBASE, catalog.layout());
            assertEquals(List.of("z1 (bob)", "a2 (bob)", "c3 (ann)"), names(catalog));
            assertEquals(List.of("1", "2", "3"), catalog.migrations().stream().map(m -> m.version().toString()).toList());
            assertEquals(List.of("CREATE TABLE z (id int)"), statements(catalog.migrations().get(0).up()));
            assertEquals(List.of("DROP TABLE z"), statements(catalog.migrations().get(0).rollback().orElseThrow()));
            assertTrue(catalog.migrations().get(1).rollback().isEmpty(), "no --rollback, no rollback");
            assertEquals("b.sql", catalog.migrations().get(2).up().file());
        }

        @Test
        void rollbackLinesJoinTheBlockFormAndNotRequired() throws IOException {
            write("changelog.sql", """
                    --liquibase formatted sql
                    --changeset ann:1
                    CREATE TABLE a (id int);
                    CREATE TABLE b (id int);
                    --rollback DROP TABLE b;
                    --rollback DROP TABLE
                    --rollback     a;
                    --changeset ann:2
                    CREATE TABLE c (id int);
                    /* liquibase rollback
                    DROP TABLE c;
                    */
                    --changeset ann:3
                    INSERT INTO c VALUES (1);
                    --rollback not required
                    """);

            List<Migration> m = resolveOk().migrations();

            assertEquals(List.of("DROP TABLE b", "DROP TABLE\n    a"), statements(m.get(0).rollback().orElseThrow()));
            assertEquals(List.of("CREATE TABLE a (id int)", "CREATE TABLE b (id int)"), statements(m.get(0).up()));
            assertEquals(List.of("DROP TABLE c"), statements(m.get(1).rollback().orElseThrow()));
            assertEquals(List.of("CREATE TABLE c (id int)"), statements(m.get(1).up()));
            MigrationScript nothing = m.get(2).rollback().orElseThrow();
            assertEquals(List.of(), statements(nothing), "a rollback that runs nothing, but a rollback");
            assertTrue(nothing.transactional());
        }

        @Test
        void runInTransactionFalseIsNoTransactionBothWays() throws IOException {
            write("changelog.sql", """
                    --liquibase formatted sql
                    --changeset ann:1 runInTransaction:false
                    --comment: Lock-free.
                    ANALYZE;
                    --rollback SELECT 1;
                    """);

            Migration m = resolveOk().migrations().get(0);
            assertFalse(m.transactional());
            assertFalse(m.rollback().orElseThrow().transactional());
        }

        @Test
        void aChangesetForAnotherDbmsIsSkippedAndKeepsItsNumber() throws IOException {
            write("changelog.sql", """
                    --liquibase formatted sql
                    --changeset ann:1 dbms:h2,oracle
                    CREATE SEQUENCE s;
                    --changeset ann:2 dbms:postgresql,h2
                    CREATE TABLE a (id int);
                    --changeset ann:3 dbms:!postgresql
                    CREATE TABLE b (id int);
                    --changeset ann:4 dbms:!oracle
                    CREATE TABLE c (id int);
                    """);

            MigrationCatalog catalog = resolveOk();
            assertEquals(List.of("2", "4"), catalog.migrations().stream().map(m -> m.version().toString()).toList());
            assertEquals(List.of("2 (ann)", "4 (ann)"), names(catalog));
        }

        private void refused(String changesetLine, String extraLine, String expected) throws IOException {
            write("changelog.sql", "--liquibase formatted sql\n" + changesetLine + "\n" + extraLine
                    + "SELECT 1;\n");
            CatalogProblem p = problem(Kind.INVALID_DIRECTIVE);
            assertEquals(List.of("changelog.sql"), p.files());
            assertTrue(p.message().startsWith("changelog.sql changeset ann:7 (line 2) "), p.message());
            assertTrue(p.message().contains(expected), p.message());
        }

        @Test
        void whatFlotillaCannotHonourIsRefusedNamingFileAndChangeset() throws IOException {
            refused("--changeset ann:7 runOnChange:true", "", "runOnChange:true");
            refused("--changeset ann:7 runAlways:true", "", "runAlways:true");
            refused("--changeset ann:7 failOnError:false", "", "failOnError:false");
            refused("--changeset ann:7 endDelimiter:/", "", "endDelimiter:/");
            refused("--changeset ann:7 created:today", "", "attribute created:today");
            refused("--changeset ann:7", "--preconditions onFail:HALT\n", "--preconditions");
            refused("--changeset ann:7", "--precondition-sql-check expectedResult:0 SELECT 1\n",
                    "--precondition-sql-check");
        }

        @Test
        void sqlBeforeTheFirstChangesetIsRefused() throws IOException {
            write("changelog.sql", "--liquibase formatted sql\nCREATE TABLE lost (id int);\n--changeset ann:1\nSELECT 1;\n");

            CatalogProblem p = problem(Kind.INVALID_DIRECTIVE);
            assertTrue(p.message().startsWith("changelog.sql has SQL before its first --changeset"), p.message());
        }

        @Test
        void aDuplicateChangesetIsRefused() throws IOException {
            write("changelog.sql", "--liquibase formatted sql\n--changeset ann:1\nSELECT 1;\n--changeset ann:1\nSELECT 2;\n");

            assertEquals(List.of("changelog.sql"), problem(Kind.DUPLICATE_VERSION).files());
        }

        @Test
        void aFormattedFileAmongFlotillaFilesIsMixedLayoutsEvenWithAFlotillaName() throws IOException {
            write("001_init.sql", "CREATE TABLE a (id int);\n");
            write("002_more.sql", "--liquibase formatted sql\n--changeset ann:1\nSELECT 1;\n");

            CatalogProblem p = problem(Kind.MIXED_LAYOUTS);
            assertEquals(List.of("001_init.sql", "002_more.sql"), p.files());
            assertTrue(p.message().contains("Liquibase formatted SQL"), p.message());
        }
    }

    @Test
    void bothLayoutsAreNamedWhereANameFitsNone() throws IOException {
        write("notes.sql", "SELECT 1;\n");

        CatalogProblem p = problem(Kind.UNRECOGNISED_FILE);
        assertTrue(p.message().contains("sqitch.plan") && p.message().contains("--liquibase formatted sql"),
                p.message());
    }
}
