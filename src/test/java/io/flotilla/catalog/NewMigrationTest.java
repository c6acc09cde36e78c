package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.catalog.NewMigration.Planned;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.SqlScript;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain unit tests of {@link NewMigration}: directories of real file names in a {@link TempDir}; every pair written is
 * resolved again by {@link MigrationResolver} and must be its highest version, with the rollback paired.
 */
class NewMigrationTest {

    /** 2024-06-01 12:00:00 UTC, seen from Tokyo: the new version must still be UTC. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneId.of("Asia/Tokyo"));

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private void files(String... names) throws IOException {
        for (String name : names) {
            Files.writeString(dir.resolve(name), "SELECT 1; -- " + name + "\n", UTF_8);
        }
    }

    /**
     * Plans and writes {@code add_invoices} in {@link #dir}, checks both file names, and that the directory
     * resolves with the new version as the highest and its rollback paired.
     */
    private NewMigration creates(Layout layout, String up, String down) throws IOException {
        return creates(dir, CLOCK, layout, up, down);
    }

    private static NewMigration creates(Path directory, Clock clock, Layout layout, String up, String down)
            throws IOException {
        Planned planned = NewMigration.plan(directory, "add_invoices", clock);
        assertEquals(List.of(), planned.problems());
        NewMigration created = planned.orThrow();
        assertEquals(layout, created.layout());
        assertEquals(up, created.up().path().getFileName().toString());
        assertEquals(down, created.down().path().getFileName().toString());

        assertEquals(List.of(directory.resolve(up), directory.resolve(down)), created.write());
        assertEquals(created.up().content(), Files.readString(directory.resolve(up), UTF_8));
        assertEquals(created.down().content(), Files.readString(directory.resolve(down), UTF_8));

        MigrationCatalog catalog = MigrationResolver.resolve(directory, true).orThrow();
        assertEquals(layout, catalog.layout());
        Migration newest = catalog.migrations().get(catalog.migrations().size() - 1);
        assertEquals(Version.parse(created.version()), newest.version());
        assertEquals(up, newest.up().file());
        assertEquals(down, newest.rollback().orElseThrow().file());
        assertEquals("add invoices", newest.name());
        return created;
    }

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Nested
    class Flotilla {
        @Test
        void emptyDirectoryStartsFlotillaLayoutAt001() throws IOException {
            creates(Layout.FLOTILLA, "001_add_invoices.sql", "rollback_001_add_invoices.sql");
        }

        @Test
        void missingDirectoryIsCreated() throws IOException {
            Path missing = dir.resolve("db").resolve("migrations");
            creates(missing, CLOCK, Layout.FLOTILLA, "001_add_invoices.sql", "rollback_001_add_invoices.sql");
        }

        @Test
        void theSampleMigrationsGet008() throws IOException {
            try (Stream<Path> sample = Files.list(Path.of("migrations"))) {
                for (Path file : sample.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, dir.resolve(file.getFileName()));
                }
            }
            creates(Layout.FLOTILLA, "008_add_invoices.sql", "rollback_008_add_invoices.sql");
        }

        @Test
        void paddingGrowsOnlyWhenTheNumberNeedsIt() throws IOException {
            files("0001_init.sql", "0099_users.sql", "rollback_0099_users.sql");
            creates(Layout.FLOTILLA, "0100_add_invoices.sql", "rollback_0100_add_invoices.sql");
        }

        @Test
        void unpaddedNineIsFollowedByTen() throws IOException {
            files("1_init.sql", "9_users.sql");
            creates(Layout.FLOTILLA, "10_add_invoices.sql", "rollback_10_add_invoices.sql");
        }

        @Test
        void theHighestVersionCountsNotTheLastFileName() throws IOException {
            files("2_a.sql", "10_b.sql", "9_c.sql"); // "9_c" sorts last as text
            creates(Layout.FLOTILLA, "11_add_invoices.sql", "rollback_11_add_invoices.sql");
        }
    }

    @Nested
    class GolangMigrate {
        @Test
        void unpaddedFromZero() throws IOException {
            files("0_init.up.sql", "0_init.down.sql");
            creates(Layout.GOLANG_MIGRATE, "1_add_invoices.up.sql", "1_add_invoices.down.sql");
        }

        @Test
        void padded() throws IOException {
            files("000001_init.up.sql", "000001_init.down.sql", "000002_users.up.sql");
            creates(Layout.GOLANG_MIGRATE, "000003_add_invoices.up.sql", "000003_add_invoices.down.sql");
        }
    }

    @Nested
    class Flyway {
        @Test
        void underscoredVersionsWithAGapIncrementTheLastPart() throws IOException {
            for (int minor = 1; minor <= 27; minor++) {
                if (minor != 13) {
                    files("V1_" + minor + "__step_" + minor + ".sql");
                }
            }
            files("U1_27__step_27.sql");
            creates(Layout.FLYWAY, "V1_28__add_invoices.sql", "U1_28__add_invoices.sql");
        }

        @Test
        void dottedVersionsKeepTheDot() throws IOException {
            files("V1__init.sql", "V1.2__users.sql");
            creates(Layout.FLYWAY, "V1.3__add_invoices.sql", "U1.3__add_invoices.sql");
        }

        @Test
        void onePartVersions() throws IOException {
            files("V1__init.sql", "V3__users.sql");
            creates(Layout.FLYWAY, "V4__add_invoices.sql", "U4__add_invoices.sql");
        }
    }

    @Nested
    class Dotted {
        @Test
        void downSuffixIsTheDefault() throws IOException {
            files("1.init.sql", "2.users.sql");
            creates(Layout.DOTTED, "3.add_invoices.sql", "3.add_invoices.down.sql");
        }

        @Test
        void downSuffixAsTheDirectoryUsesIt() throws IOException {
            files("1.init.sql", "1.init.down.sql", "2.users.sql");
            creates(Layout.DOTTED, "3.add_invoices.sql", "3.add_invoices.down.sql");
        }

        @Test
        void rollbackPrefixAsTheDirectoryUsesIt() throws IOException {
            files("1.init.sql", "rollback_1.init.sql", "2.users.sql");
            creates(Layout.DOTTED, "3.add_invoices.sql", "rollback_3.add_invoices.sql");
        }

        @Test
        void upSuffixAsTheDirectoryUsesIt() throws IOException {
            files("1.init.up.sql", "1.init.down.sql");
            creates(Layout.DOTTED, "2.add_invoices.up.sql", "2.add_invoices.down.sql");
        }
    }

    @Nested
    class Timestamps {
        @Test
        void nextIsTheClocksUtcTime() throws IOException {
            files("20240101120000_init.sql", "rollback_20240101120000_init.sql");
            creates(Layout.FLOTILLA, "20240601120000_add_invoices.sql", "rollback_20240601120000_add_invoices.sql");
        }

        @Test
        void aClockNotPastTheHighestGivesOneSecondMore() throws IOException {
            files("20240601120000_init.up.sql");
            creates(Layout.GOLANG_MIGRATE, "20240601120001_add_invoices.up.sql", "20240601120001_add_invoices.down.sql");
            // Behind by a day, and the second rolls over into the next hour.
            Path other = dir.resolve("other");
            Files.createDirectories(other);
            Files.writeString(other.resolve("V20240602125959__init.sql"), "SELECT 1;\n", UTF_8);
            creates(other, CLOCK, Layout.FLYWAY, "V20240602130000__add_invoices.sql",
                    "U20240602130000__add_invoices.sql");
        }

        @Test
        void fourteenDigitsThatAreNoDateAreAnOrdinaryNumber() {
            assertEquals("00000000000002", NewMigration.next("00000000000001", CLOCK));
            assertEquals("20241399000000", NewMigration.next("20241398999999", CLOCK)); // month 13
            assertEquals("20240601120000", NewMigration.next("20240101120000", CLOCK));
            assertEquals("1_0100", NewMigration.next("1_0099", CLOCK));
        }
    }

    @Nested
    class Names {
        @Test
        void spacesHyphensAndCaseAreNormalised() {
            for (String name : List.of("Add Invoices", "add-invoices", "  ADD - invoices ")) {
                assertEquals("add_invoices", NewMigration.plan(dir, name, CLOCK).orThrow().name(), name);
            }
        }

        @Test
        void badNamesAreRefusedAndNothingIsWritten() throws IOException {
            Map<String, String> refused = Map.of(
                    "../evil", "must not contain path separators, dots or quotes",
                    "a/b", "must not contain path separators, dots or quotes",
                    "a\\b", "must not contain path separators, dots or quotes",
                    "add.invoices", "must not contain path separators, dots or quotes",
                    "add'invoices", "must not contain path separators, dots or quotes",
                    "2fa", "must start with a letter",
                    "add;invoices", "must start with a letter and hold only letters, digits and underscores",
                    "_add", "must start with a letter",
                    "", "needs a name",
                    "x".repeat(NewMigration.MAX_NAME_LENGTH + 1), "longer than 100 characters");
            for (var entry : refused.entrySet()) {
                Planned planned = NewMigration.plan(dir, entry.getKey(), CLOCK);
                assertTrue(planned.migration().isEmpty(), entry.getKey());
                assertEquals(1, planned.problems().size(), entry.getKey());
                assertTrue(planned.problems().get(0).contains(entry.getValue()), planned.problems().get(0));
                FlotillaException e = assertThrows(FlotillaException.class, planned::orThrow);
                assertEquals(ErrorCode.INVALID_REQUEST, e.code());
            }
            assertEquals(NewMigration.MAX_NAME_LENGTH,
                    NewMigration.plan(dir, "x".repeat(NewMigration.MAX_NAME_LENGTH), CLOCK).orThrow().name().length());
            assertEquals(List.of(), listing());
        }
    }

    @Nested
    class Refusals {
        @Test
        void mixedLayoutsAreRefusedWithTheResolversMessage() throws IOException {
            files("001_init.sql", "V2__users.sql");
            List<String> expected = MigrationResolver.resolve(dir, true).problems().stream()
                    .map(CatalogProblem::message).toList();
            assertTrue(expected.get(0).contains("one directory must use one layout"), expected.get(0));

            Planned planned = NewMigration.plan(dir, "add_invoices", CLOCK);
            assertEquals(expected, planned.problems());
            assertEquals(List.of("001_init.sql", "V2__users.sql"), listing());
        }

        @Test
        void unreadableFilesAreRefusedWithTheResolversMessage() throws IOException {
            files("001_init.sql");
            Files.write(dir.resolve("002_latin1.sql"), new byte[] {'-', '-', ' ', (byte) 0xE9, '\n'});
            Planned planned = NewMigration.plan(dir, "add_invoices", CLOCK);
            assertEquals(List.of("002_latin1.sql is not UTF-8 text"), planned.problems());
        }

        @Test
        void aBadNameAndABadDirectoryAreReportedTogether() throws IOException {
            files("001_init.sql", "V2__users.sql");
            assertEquals(2, NewMigration.plan(dir, "a/b", CLOCK).problems().size());
        }

        @Test
        void aFileInsteadOfADirectoryIsRefused() throws IOException {
            files("notes.txt");
            Planned planned = NewMigration.plan(dir.resolve("notes.txt"), "add_invoices", CLOCK);
            assertEquals(List.of(dir.resolve("notes.txt").toAbsolutePath() + " is not a directory"), planned.problems());
        }

        @Test
        void aTargetTheResolverDoesNotSeeIsRefusedWhenPlanning() throws IOException {
            files("001_init.sql");
            Files.createDirectory(dir.resolve("002_add_invoices.sql")); // not a regular file: no migration
            Planned planned = NewMigration.plan(dir, "add_invoices", CLOCK);
            assertEquals(List.of("002_add_invoices.sql already exists in " + dir.toAbsolutePath()), planned.problems());
        }

        @Test
        void anUpFileCreatedSincePlanningIsNeverOverwritten() throws IOException {
            files("001_init.sql");
            NewMigration planned = NewMigration.plan(dir, "add_invoices", CLOCK).orThrow();
            Files.writeString(planned.up().path(), "someone else's\n", UTF_8);

            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, planned::write);
            assertTrue(e.getMessage().contains("002_add_invoices.sql: already exists"), e.getMessage());
            assertEquals("someone else's\n", Files.readString(planned.up().path(), UTF_8));
            assertFalse(Files.exists(planned.down().path()));
        }

        @Test
        void aRollbackCreatedSincePlanningIsNeverOverwrittenAndTheUpFileIsTakenBack() throws IOException {
            files("001_init.sql");
            NewMigration planned = NewMigration.plan(dir, "add_invoices", CLOCK).orThrow();
            Files.writeString(planned.down().path(), "someone else's\n", UTF_8);

            assertThrows(FileAlreadyExistsException.class, planned::write);
            assertEquals("someone else's\n", Files.readString(planned.down().path(), UTF_8));
            assertEquals(List.of("001_init.sql", "rollback_002_add_invoices.sql"), listing());
        }
    }

    @Nested
    class Template {
        @Test
        void thePairIsCommentOnlyWithNoDirectiveOrPlaceholderActive() throws IOException {
            NewMigration created = creates(Layout.FLOTILLA, "001_add_invoices.sql", "rollback_001_add_invoices.sql");
            assertTrue(created.up().content().startsWith("-- Add invoices.\n"), created.up().content());
            assertTrue(created.down().content().startsWith("-- Roll back 001: add invoices.\n"),
                    created.down().content());
            assertTrue(created.down().content().contains("001_add_invoices.sql"));

            Migration migration = MigrationResolver.resolve(dir, true).orThrow().migrations().get(0);
            for (MigrationScript script : List.of(migration.up(), migration.down())) {
                assertEquals(List.of(), SqlScript.split(script.sql()), script.file()); // runs nothing
                assertTrue(script.transactional(), script.file());
                assertEquals(List.of(), script.requires(), script.file());
                assertEquals(Map.of(), script.defaults(), script.file());
                assertEquals(Map.of(), script.lintWaivers(), script.file());
                assertEquals(Set.of(), script.placeholderNames(), script.file());
            }
        }

        @Test
        void theDirectiveExamplesAreValidOnceUncommented() {
            String up = NewMigration.upTemplate("add_invoices");
            String enabled = up.replace("-- -- flotilla:", "-- flotilla:");
            assertEquals(4, up.split("-- -- flotilla:", -1).length - 1, up);

            List<CatalogProblem> problems = new ArrayList<>();
            MigrationScript script = MigrationResolver.parse("001_add_invoices.sql", enabled, true, problems);
            assertEquals(List.of(), problems);
            assertFalse(script.transactional());
            assertEquals(List.of("pgcrypto"), script.requires());
            assertEquals(Map.of("region", "eu"), script.defaults());
            assertEquals(Map.of("example", Set.of(LintRule.RLS_ENABLED)), script.lintWaivers());
        }

        @Test
        void theExampleStatementIsValidOnceUncommented() {
            String up = NewMigration.upTemplate("add_invoices");
            String example = up.substring(up.indexOf("-- CREATE TABLE")).replace("-- ", "").replace("--", "");
            assertEquals(1, SqlScript.split(example).size(), example);
            assertTrue(example.startsWith("CREATE TABLE example ("), example);
        }
    }

    /** Layouts whose files hold both directions, or whose listing is a file of its own. */
    @Nested
    class OtherTools {

        /** Plans and writes {@code add_invoices}; the directory must read it back as its newest version. */
        private Migration createsNewest(Layout layout, String version, List<String> written) throws IOException {
            Planned planned = NewMigration.plan(dir, "add_invoices", CLOCK);
            assertEquals(List.of(), planned.problems());
            NewMigration created = planned.orThrow();
            assertEquals(layout, created.layout());
            assertEquals(version, created.version());
            assertEquals(written.stream().map(dir::resolve).toList(), created.write());

            MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();
            assertEquals(layout, catalog.layout());
            Migration newest = catalog.migrations().get(catalog.migrations().size() - 1);
            assertEquals(Version.parse(version), newest.version());
            assertEquals(List.of(), SqlScript.split(newest.up().sql()), "the template runs nothing");
            return newest;
        }

        @Test
        void gooseKeepsThePaddingInOneFileWithBothSections() throws IOException {
            Files.writeString(dir.resolve("00007_init.sql"), "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n");

            Migration m = createsNewest(Layout.GOOSE, "00008", List.of("00008_add_invoices.sql"));

            assertEquals("00008_add_invoices.sql", m.rollback().orElseThrow().file());
            assertTrue(m.up().sql().startsWith("-- +goose Up\n-- Add invoices.\n"), m.up().sql());
            assertTrue(m.rollback().orElseThrow().sql().startsWith("-- +goose Down\n"));
        }

        @Test
        void gooseWithTimestampsGetsTheClocksTime() throws IOException {
            Files.writeString(dir.resolve("20240101120000_init.sql"), "-- +goose Up\nSELECT 1;\n");

            createsNewest(Layout.GOOSE, "20240601120000", List.of("20240601120000_add_invoices.sql"));
        }

        @Test
        void dbmateGetsATimestampAndBothSections() throws IOException {
            Files.writeString(dir.resolve("20240101120000_init.sql"), "-- migrate:up\nSELECT 1;\n-- migrate:down\n");

            Migration m = createsNewest(Layout.DBMATE, "20240601120000", List.of("20240601120000_add_invoices.sql"));

            assertTrue(m.rollback().orElseThrow().sql().startsWith("-- migrate:down\n"));
        }

        @Test
        void prismaGetsADirectoryWithMigrationSql() throws IOException {
            Files.createDirectories(dir.resolve("20240101120000_init"));
            Files.writeString(dir.resolve("20240101120000_init/migration.sql"), "SELECT 1;\n");

            Migration m = createsNewest(Layout.PRISMA, "20240601120000",
                    List.of("20240601120000_add_invoices/migration.sql"));

            assertTrue(m.rollback().isEmpty());
        }

        @Test
        void sqitchAppendsAPlanLineWithTheConfiguredPlannerAndWritesThreeScripts() throws IOException {
            Files.writeString(dir.resolve("sqitch.conf"), "[core]\n\tengine = pg\n[user]\n\tname = Ann Lee\n"
                    + "\temail = ann@example.com\n");
            Files.writeString(dir.resolve("sqitch.plan"), "%syntax-version=1.0.0\n%project=shop\n\n"
                    + "users 2024-01-01T00:00:00Z Ann Lee <ann@example.com> # Users.\n"
                    + "@v1 2024-01-02T00:00:00Z Ann Lee <ann@example.com> # v1"); // no final newline
            Files.createDirectories(dir.resolve("deploy"));
            Files.writeString(dir.resolve("deploy/users.sql"), "BEGIN;\nCREATE TABLE users (id int);\nCOMMIT;\n");

            Migration m = createsNewest(Layout.SQITCH, "2", List.of("deploy/add_invoices.sql",
                    "revert/add_invoices.sql", "verify/add_invoices.sql", "sqitch.plan"));

            assertEquals("add_invoices", m.name());
            assertEquals("revert/add_invoices.sql", m.rollback().orElseThrow().file());
            assertTrue(Files.readString(dir.resolve("sqitch.plan")).endsWith("# v1\n"
                    + "add_invoices 2024-06-01T12:00:00Z Ann Lee <ann@example.com> # Add invoices.\n"));
            assertTrue(Files.readString(dir.resolve("deploy/add_invoices.sql")).startsWith(
                    "-- Deploy shop:add_invoices to pg\n"));
            assertTrue(Files.readString(dir.resolve("verify/add_invoices.sql")).endsWith("ROLLBACK;\n"));
        }

        @Test
        void sqitchWithoutAConfiguredPlannerUsesFlotillasAndStartsAnEmptyPlanAtOne() throws IOException {
            Files.writeString(dir.resolve("sqitch.plan"), "%syntax-version=1.0.0\n%project=shop\n\n");

            createsNewest(Layout.SQITCH, "1", List.of("deploy/add_invoices.sql", "revert/add_invoices.sql",
                    "verify/add_invoices.sql", "sqitch.plan"));

            assertTrue(Files.readString(dir.resolve("sqitch.plan")).endsWith(
                    "add_invoices 2024-06-01T12:00:00Z flotilla <flotilla@localhost> # Add invoices.\n"));
        }

        @Test
        void sqitchRefusesANameThePlanHasAndWritesNothing() throws IOException {
            Files.writeString(dir.resolve("sqitch.plan"), "%project=shop\n"
                    + "add_invoices 2024-01-01T00:00:00Z Ann <ann@example.com> # x\n");
            Files.createDirectories(dir.resolve("deploy"));
            Files.writeString(dir.resolve("deploy/add_invoices.sql"), "SELECT 1;\n");

            Planned planned = NewMigration.plan(dir, "add_invoices", CLOCK);

            assertTrue(planned.problems().get(0).contains("already has a change named add_invoices"),
                    planned.problems().toString());
        }

        @Test
        void liquibaseGetsTheNextNumberedFileWithOneChangesetAndARollback() throws IOException {
            Files.writeString(dir.resolve("009-init.sql"), "--liquibase formatted sql\n--changeset ann:1\nSELECT 1;\n"
                    + "--changeset ann:2 dbms:oracle\nSELECT 2;\n");

            Migration m = createsNewest(Layout.LIQUIBASE, "3", List.of("010-add_invoices.sql"));

            assertEquals("add_invoices (flotilla)", m.name());
            assertEquals(List.of(), SqlScript.split(m.rollback().orElseThrow().sql()), "--rollback not required");
        }

        @Test
        void liquibaseWithoutANumberAppendsTheNameSoTheFileSortsLast() throws IOException {
            Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n--changeset ann:1\nSELECT 1;\n");

            createsNewest(Layout.LIQUIBASE, "2", List.of("changelog_add_invoices.sql"));
        }
    }
}
