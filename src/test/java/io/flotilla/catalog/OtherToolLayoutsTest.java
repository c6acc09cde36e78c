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
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories as other tools write them (goose, dbmate, Prisma, V0001.name.up.sql), each file in the tool's documented
 * style, resolved in place: parsed, ordered by version part by part, rollbacks paired, the tool's no-transaction
 * spelling mapped onto Flotilla's, each direction checksummed. And the safety rules: another tool's two-section file
 * never runs whole, and a directory yielding no migration says why.
 */
class OtherToolLayoutsTest {

    @TempDir
    Path dir;

    private Path write(String name, String sql) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, sql, UTF_8);
        return file;
    }

    private MigrationCatalog resolveOk() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertEquals(List.of(), resolution.problems(), "unexpected problems");
        return resolution.orThrow();
    }

    private List<CatalogProblem> resolveProblems() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertFalse(resolution.problems().isEmpty(), "expected problems");
        assertTrue(resolution.catalog().isEmpty(), "a resolution with problems has no catalog");
        return resolution.problems();
    }

    private static CatalogProblem one(List<CatalogProblem> problems, Kind kind) {
        List<CatalogProblem> ofKind = problems.stream().filter(p -> p.kind() == kind).toList();
        assertEquals(1, ofKind.size(), () -> "expected exactly one " + kind + " in " + problems);
        return ofKind.get(0);
    }

    private static List<String> versions(MigrationCatalog catalog) {
        return catalog.migrations().stream().map(m -> m.version().toString()).toList();
    }

    private static List<String> names(MigrationCatalog catalog) {
        return catalog.migrations().stream().map(Migration::name).toList();
    }

    private static Migration migration(MigrationCatalog catalog, String version) {
        return catalog.find(Version.parse(version)).orElseThrow(() -> new AssertionError("no version " + version));
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    }

    @Nested
    class Goose {

        private static final String CREATE = """
                -- +goose Up
                CREATE TABLE post (id int NOT NULL, title text, PRIMARY KEY (id));

                -- +goose Down
                DROP TABLE post;
                """;

        @Test
        void upAndDownSectionsAreTwoScripts() throws Exception {
            write("00001_create_post.sql", CREATE);
            write("00002_add_body.sql", "-- +goose Up\nALTER TABLE post ADD body text;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.GOOSE, catalog.layout());
            assertEquals(List.of("1", "2"), versions(catalog));
            assertEquals(List.of("create post", "add body"), names(catalog));
            Migration first = migration(catalog, "1");
            String up = "-- +goose Up\nCREATE TABLE post (id int NOT NULL, title text, PRIMARY KEY (id));\n\n";
            String down = "-- +goose Down\nDROP TABLE post;\n";
            assertEquals(up, first.up().sql());
            assertEquals(down, first.rollback().orElseThrow().sql());
            assertFalse(first.up().sql().contains("DROP TABLE"), "the down section never runs with the up");
            assertEquals(List.of("CREATE TABLE post (id int NOT NULL, title text, PRIMARY KEY (id))"),
                    SqlScript.split(first.up().sql()));
            assertEquals(sha256Hex(up), first.checksum());
            assertEquals(sha256Hex(down), first.rollback().orElseThrow().checksum());
            assertEquals("00001_create_post.sql", first.up().file());
            assertTrue(first.transactional());
            assertFalse(migration(catalog, "2").rollback().isPresent());
        }

        @Test
        void timestampVersionsOrderNumerically() throws IOException {
            write("20240101120000_b.sql", "-- +goose Up\nSELECT 2;\n-- +goose Down\nSELECT -2;\n");
            write("20231231235959_a.sql", "-- +goose Up\nSELECT 1;\n");
            write("20240101120001_c.sql", "-- +goose Up\nSELECT 3;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.GOOSE, catalog.layout());
            assertEquals(List.of("20231231235959", "20240101120000", "20240101120001"), versions(catalog));
            assertEquals(Version.parse("20240101120001"), catalog.latest().orElseThrow());
            assertTrue(migration(catalog, "20240101120000").rollback().isPresent());
        }

        @Test
        void statementBeginEndKeepsAFunctionOneStatement() throws IOException {
            write("00001_fn.sql", """
                    -- +goose NO TRANSACTION
                    -- +goose Up
                    -- +goose StatementBegin
                    CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        NEW.updated_at := now();
                        RETURN NEW;
                    END;
                    $$;
                    -- +goose StatementEnd
                    CREATE INDEX CONCURRENTLY post_title ON post (title);

                    -- +goose Down
                    DROP INDEX CONCURRENTLY post_title;
                    -- +goose StatementBegin
                    DROP FUNCTION touch();
                    -- +goose StatementEnd
                    """);

            Migration m = resolveOk().migrations().get(0);

            List<String> statements = SqlScript.split(m.up().sql());
            assertEquals(2, statements.size(), statements::toString);
            assertTrue(statements.get(0).startsWith("CREATE OR REPLACE FUNCTION touch()"),
                    statements.get(0));
            assertTrue(statements.get(0).endsWith("END;\n$$"), statements.get(0));
            assertEquals("CREATE INDEX CONCURRENTLY post_title ON post (title)", statements.get(1));
            assertFalse(m.transactional(), "NO TRANSACTION maps onto Flotilla's no-transaction");
            assertFalse(m.rollback().orElseThrow().transactional(), "NO TRANSACTION covers both directions");
        }

        @Test
        void noTransactionIsReadOnlyFromGooseMarkerOrDirective() throws IOException {
            write("00001_a.sql", "-- +goose Up\n-- flotilla:requires-extension pgcrypto\nSELECT 1;\n");

            Migration m = resolveOk().migrations().get(0);

            assertTrue(m.transactional());
            assertEquals(List.of("pgcrypto"), m.requires(), "flotilla directives in the header still count");
        }

        @Test
        void noTransactionBlockHoldingSeveralStatementsIsRefused() throws IOException {
            write("00001_a.sql", """
                    -- +goose NO TRANSACTION
                    -- +goose Up
                    -- +goose StatementBegin
                    SELECT 1; SELECT 2;
                    -- +goose StatementEnd
                    """);

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertEquals(List.of("00001_a.sql"), p.files());
            assertTrue(p.message().contains("2 statements"), p.message());
        }

        @Test
        void malformedMarkersAreNamed() throws IOException {
            write("00001_no_up.sql", "SELECT 1;\n-- +goose Down\nSELECT 2;\n");
            write("00002_open.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n");
            write("00003_envsub.sql", "-- +goose ENVSUB ON\n-- +goose Up\nSELECT '${X}';\n");
            write("00004_order.sql", "-- +goose Down\nSELECT 2;\n-- +goose Up\nSELECT 1;\n");

            List<CatalogProblem> problems = resolveProblems();

            assertEquals(Set.of("00001_no_up.sql", "00002_open.sql", "00003_envsub.sql", "00004_order.sql"),
                    Set.copyOf(problems.stream().flatMap(p -> p.files().stream()).toList()), problems::toString);
            assertTrue(problems.stream().allMatch(p -> p.kind() == Kind.INVALID_DIRECTIVE), problems::toString);
            assertTrue(problems.stream().anyMatch(p -> p.message().contains("no -- +goose Up")), problems::toString);
            assertTrue(problems.stream().anyMatch(p -> p.message().contains("ENVSUB")), problems::toString);
        }
    }

    @Nested
    class Dbmate {

        @Test
        void upAndDownSectionsWithTransactionFalse() throws Exception {
            write("20240101120000_create_users.sql", """
                    -- migrate:up
                    create table users (id integer, name varchar(255));

                    -- migrate:down
                    drop table users;
                    """);
            write("20240102090000_index_users.sql", """
                    -- migrate:up transaction:false
                    create index concurrently users_name on users (name);

                    -- migrate:down
                    drop index users_name;
                    """);

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.DBMATE, catalog.layout());
            assertEquals(List.of("20240101120000", "20240102090000"), versions(catalog));
            assertEquals(List.of("create users", "index users"), names(catalog));
            Migration first = catalog.migrations().get(0);
            String up = "-- migrate:up\ncreate table users (id integer, name varchar(255));\n\n";
            assertEquals(up, first.up().sql());
            assertEquals("-- migrate:down\ndrop table users;\n", first.rollback().orElseThrow().sql());
            assertEquals(sha256Hex(up), first.checksum());
            assertTrue(first.transactional());
            Migration second = catalog.migrations().get(1);
            assertFalse(second.transactional(), "transaction:false on the up line");
            assertTrue(second.rollback().orElseThrow().transactional(), "the down line says nothing");
        }

        @Test
        void transactionFalseOnADownLineAlone() throws IOException {
            write("20240101120000_a.sql", "-- migrate:up\nselect 1;\n-- migrate:down transaction:false\nvacuum;\n");

            Migration m = resolveOk().migrations().get(0);

            assertTrue(m.up().transactional());
            assertFalse(m.rollback().orElseThrow().transactional());
        }

        @Test
        void sqlBeforeTheUpMarkerIsRefused() throws IOException {
            write("20240101120000_a.sql", "select 0;\n-- migrate:up\nselect 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertTrue(p.message().contains("before its -- migrate:up"), p.message());
        }

        @Test
        void unknownOptionIsNamed() throws IOException {
            write("20240101120000_a.sql", "-- migrate:up transaction:maybe\nselect 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertTrue(p.message().contains("transaction:maybe"), p.message());
            assertEquals(List.of("20240101120000_a.sql"), p.files());
        }
    }

    @Nested
    class Prisma {

        @Test
        void oneDirectoryPerMigrationLockFileIgnored() throws Exception {
            write("20240101120000_init/migration.sql", "-- CreateTable\nCREATE TABLE \"User\" (\"id\" SERIAL);\n");
            write("20240215093000_add_post/migration.sql", "CREATE TABLE \"Post\" (\"id\" SERIAL);\n");
            write("migration_lock.toml", "provider = \"postgresql\"\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.PRISMA, catalog.layout());
            assertEquals(List.of("20240101120000", "20240215093000"), versions(catalog));
            assertEquals(List.of("init", "add post"), names(catalog));
            Migration first = catalog.migrations().get(0);
            assertEquals("20240101120000_init/migration.sql", first.up().file());
            assertFalse(first.rollback().isPresent());
            assertEquals(sha256Hex("-- CreateTable\nCREATE TABLE \"User\" (\"id\" SERIAL);\n"), first.checksum());
        }

        @Test
        void migrationDirectoryWithoutItsScriptIsNamed() throws IOException {
            write("20240101120000_init/migration.sql", "SELECT 1;\n");
            write("20240102120000_half_deleted/notes.txt", "gone\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNRECOGNISED_FILE);

            assertEquals(List.of("20240102120000_half_deleted/"), p.files());
            assertTrue(p.message().contains("migration.sql"), p.message());
        }

        @Test
        void prismaNextToTopLevelFilesIsMixed() throws IOException {
            write("20240101120000_init/migration.sql", "SELECT 1;\n");
            write("002_b.sql", "SELECT 2;\n");

            CatalogProblem p = one(resolveProblems(), Kind.MIXED_LAYOUTS);

            assertEquals(Set.of("20240101120000_init/migration.sql", "002_b.sql"), Set.copyOf(p.files()));
            assertTrue(p.message().contains("Prisma"), p.message());
        }
    }

    @Nested
    class VDottedUpDown {

        @Test
        void upAndDownPairsInNumericOrder() throws IOException {
            write("V0001.CreateUsers.up.sql", "CREATE TABLE users (id int);\n");
            write("V0001.CreateUsers.down.sql", "DROP TABLE users;\n");
            write("V0010.AddIndex.up.sql", "CREATE INDEX ON users (id);\n");
            write("V0002.AddName.up.sql", "ALTER TABLE users ADD name text;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.V_UP_DOWN, catalog.layout());
            assertEquals(List.of("1", "2", "10"), versions(catalog));
            assertEquals(List.of("CreateUsers", "AddName", "AddIndex"), names(catalog));
            assertEquals("V0001.CreateUsers.down.sql", migration(catalog, "1").rollback().orElseThrow().file());
            assertEquals("DROP TABLE users;\n", migration(catalog, "1").rollback().orElseThrow().sql());
            assertFalse(migration(catalog, "2").rollback().isPresent());
        }

        @Test
        void downWithoutUpIsUnpaired() throws IOException {
            write("V0001.A.up.sql", "SELECT 1;\n");
            write("V0003.Gone.down.sql", "SELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNPAIRED_ROLLBACK);

            assertEquals(List.of("V0003.Gone.down.sql"), p.files());
        }

        @Test
        void createNamesTheNextPairInTheSameStyle() throws IOException {
            write("V0001.init.up.sql", "SELECT 1;\n");
            write("V0001.init.down.sql", "SELECT 1;\n");

            NewMigration next = NewMigration.plan(dir, "add invoices",
                    Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).orThrow();

            assertEquals(Layout.V_UP_DOWN, next.layout());
            assertEquals("V0002.add_invoices.up.sql", next.up().path().getFileName().toString());
            assertEquals("V0002.add_invoices.down.sql", next.down().path().getFileName().toString());
        }
    }

    @Nested
    class Safety {

        @Test
        void gooseFileAmongFlotillaFilesIsMixedNeverRunWhole() throws IOException {
            write("001_a.sql", "CREATE TABLE a (id int);\n");
            write("002_b.sql", "-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n");

            CatalogProblem p = one(resolveProblems(), Kind.MIXED_LAYOUTS);

            assertEquals(Set.of("001_a.sql", "002_b.sql"), Set.copyOf(p.files()));
            assertTrue(p.message().contains("goose"), p.message());
            assertTrue(p.message().contains("Flotilla"), p.message());
        }

        @Test
        void dbmateFileAmongFlotillaFilesIsMixed() throws IOException {
            write("001_a.sql", "CREATE TABLE a (id int);\n");
            write("002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n");

            CatalogProblem p = one(resolveProblems(), Kind.MIXED_LAYOUTS);

            assertTrue(p.message().contains("dbmate"), p.message());
            assertEquals(Set.of("001_a.sql", "002_b.sql"), Set.copyOf(p.files()));
        }

        @Test
        void gooseAndDbmateFilesInOneDirectoryAreMixed() throws IOException {
            write("20240101120000_a.sql", "-- +goose Up\nSELECT 1;\n");
            write("20240102120000_b.sql", "-- migrate:up\nSELECT 2;\n");

            CatalogProblem p = one(resolveProblems(), Kind.MIXED_LAYOUTS);

            assertEquals(Set.of("20240101120000_a.sql", "20240102120000_b.sql"), Set.copyOf(p.files()));
            assertTrue(p.message().contains("goose") && p.message().contains("dbmate"), p.message());
        }

        @Test
        void sectionMarkersInAFileOfAnotherNamedLayoutAreRefused() throws IOException {
            write("1.a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNSUPPORTED_FILE);

            assertEquals(List.of("1.a.sql"), p.files());
            assertTrue(p.message().contains("run it whole"), p.message());
        }

        @Test
        void anOrdinaryMigrateCommentIsNoDbmateMarker() throws IOException {
            write("001_a.sql", "-- migrate: users move to the new table\nSELECT 1;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.FLOTILLA, catalog.layout());
            assertEquals("-- migrate: users move to the new table\nSELECT 1;\n", catalog.migrations().get(0).up().sql());
        }

        @Test
        void rollbackFileWithSectionsIsRefused() throws IOException {
            write("001_a.sql", "-- +goose Up\nSELECT 1;\n");
            write("rollback_001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNSUPPORTED_FILE);

            assertEquals(List.of("rollback_001_a.sql"), p.files());
        }

        @Test
        void bothToolsMarkersInOneFileAreRefused() throws IOException {
            write("001_a.sql", "-- +goose Up\n-- migrate:up\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNRECOGNISED_FILE);

            assertEquals(List.of("001_a.sql"), p.files());
        }

        @Test
        void directoryOfUnreadSubdirectoriesSaysWhatItFound() throws IOException {
            // A Prisma tree pointed at one level too high: prisma/ holds schema.prisma and migrations/.
            write("schema.prisma", "datasource db { provider = \"postgresql\" }\n");
            write("migrations/20240101120000_init/migration.sql", "SELECT 1;\n");
            write(".gitkeep", "");

            CatalogProblem p = one(resolveProblems(), Kind.NO_MIGRATIONS);

            assertEquals(List.of("migrations/", "schema.prisma"), p.files());
            assertTrue(p.message().contains("migrations/"), p.message());
            assertTrue(p.message().contains("schema.prisma"), p.message());
            assertTrue(p.message().contains(dir.toAbsolutePath().toString()), p.message());
        }

        @Test
        void otherToolsFilesAloneSayWhatWasFound() throws IOException {
            write("changelog.xml", "<databaseChangeLog/>\n");
            write("00001_create.go", "package migrations\n");

            CatalogProblem p = one(resolveProblems(), Kind.NO_MIGRATIONS);

            assertEquals(List.of("00001_create.go", "changelog.xml"), p.files());
        }

        @Test
        void hiddenFilesAndFlotillasOwnSubdirectoriesAloneAreAnEmptyCatalog() throws IOException {
            write(".gitkeep", "");
            write("seeds/010_plans.sql", "INSERT INTO plans VALUES (1);\n");
            write("maintenance/nightly.sql", "VACUUM;\n");

            assertEquals(List.of(), resolveOk().migrations());
        }
    }

    @Nested
    class TimestampVersions {

        @Test
        void fourteenDigitTargetsParseAndCompare() {
            Version v = Version.parse("20240101120000");

            assertEquals("20240101120000", v.toString());
            assertTrue(v.compareTo(Version.parse("20231231235959")) > 0);
            assertTrue(v.compareTo(Version.parse("99")) > 0);
            assertEquals(v, Version.parse("020240101120000"));
        }

        @Test
        void classifiesEveryNewLayout() {
            assertEquals(Layout.PRISMA, Layout.classify("20240101120000_init/migration.sql").orElseThrow().layout());
            assertEquals(Layout.V_UP_DOWN, Layout.classify("V0001.Name.up.sql").orElseThrow().layout());
            assertTrue(Layout.classify("V0001.Name.down.sql").orElseThrow().down());
            assertEquals(Layout.FLYWAY, Layout.classify("V1__x.sql").orElseThrow().layout());
            // goose and dbmate names are Flotilla names: the content decides, in the resolver
            assertEquals(Layout.FLOTILLA, Layout.classify("20240101120000_name.sql").orElseThrow().layout());
        }
    }
}
