package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.MigrationResolver.Resolution;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain unit tests of {@link MigrationResolver}: every directory is built from real file names and SQL in a
 * {@link TempDir}, resolved, and checked as a catalog or as a list of {@link CatalogProblem}s.
 */
class MigrationResolverTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private Path write(String name, String sql) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, sql, UTF_8);
        return file;
    }

    private void writeAll(String... names) throws IOException {
        for (String name : names) {
            write(name, "SELECT 1; -- " + name + "\n");
        }
    }

    /** Resolves {@link #dir} with placeholders on and insists there is no problem. */
    private MigrationCatalog resolveOk() {
        return resolveOk(dir, true);
    }

    private static MigrationCatalog resolveOk(Path directory, boolean placeholders) {
        Resolution resolution = MigrationResolver.resolve(directory, placeholders);
        assertEquals(List.of(), resolution.problems(), "unexpected problems");
        assertTrue(resolution.catalog().isPresent(), "a problem-free resolution has a catalog");
        MigrationCatalog catalog = resolution.orThrow();
        assertSame(resolution.catalog().get(), catalog);
        return catalog;
    }

    /** Resolves {@link #dir}, insists it fails, and returns its problems. */
    private List<CatalogProblem> resolveProblems() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertFalse(resolution.problems().isEmpty(), "expected problems");
        assertTrue(resolution.catalog().isEmpty(), "a resolution with problems has no catalog");
        return resolution.problems();
    }

    /** The single problem of the given kind. */
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

    private Migration migration(MigrationCatalog catalog, String version) {
        return catalog.find(Version.parse(version)).orElseThrow(() -> new AssertionError("no version " + version));
    }

    /** Writes one Flotilla-layout up script, resolves the directory and returns the parsed script. */
    private MigrationScript script(String sql) throws IOException {
        return script(sql, true);
    }

    private MigrationScript script(String sql, boolean placeholders) throws IOException {
        write("001_only.sql", sql);
        MigrationCatalog catalog = resolveOk(dir, placeholders);
        assertEquals(1, catalog.migrations().size());
        return catalog.migrations().get(0).up();
    }

    private static String sha256Hex(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    }

    private static final Function<String, String> NEVER_CALLED = name -> {
        throw new AssertionError("render() asked for placeholder " + name);
    };

    // ---------------------------------------------------------------------------------------------------------

    @Nested
    class FlotillaLayout {

        @Test
        void upAndRollbackFilesResolveInOrder() throws IOException {
            write("001_init.sql", "CREATE TABLE a (id int);\n");
            write("002_b.sql", "CREATE TABLE b (id int);\n");
            write("rollback_001_init.sql", "DROP TABLE a;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.FLOTILLA, catalog.layout());
            assertEquals(dir, catalog.directory());
            assertEquals(List.of("1", "2"), versions(catalog));
            assertEquals(List.of("init", "b"), names(catalog));
            Migration first = catalog.migrations().get(0);
            Migration second = catalog.migrations().get(1);
            assertTrue(first.rollback().isPresent());
            assertEquals("rollback_001_init.sql", first.rollback().get().file());
            assertEquals("DROP TABLE a;\n", first.rollback().get().sql());
            assertEquals("001_init.sql", first.up().file());
            assertEquals("CREATE TABLE a (id int);\n", first.up().sql());
            assertFalse(second.rollback().isPresent());
            assertEquals(Version.parse("2"), catalog.latest().orElseThrow());
        }

        @Test
        void versionsCompareNumericallyNotAsText() throws IOException {
            writeAll("9_a.sql", "10_b.sql", "2_c.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("2", "9", "10"), versions(catalog));
            assertEquals(List.of("c", "a", "b"), names(catalog));
            assertEquals("10", catalog.latest().orElseThrow().toString());
        }

        @Test
        void gapsBetweenVersionsAreFine() throws IOException {
            writeAll("001_first.sql", "005_fifth.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("1", "5"), versions(catalog));
            assertTrue(catalog.find(Version.parse("3")).isEmpty());
            assertEquals("fifth", migration(catalog, "005").name());
        }

        @Test
        void underscoresInTheDescriptionBecomeSpaces() throws IOException {
            writeAll("001_create_users_table.sql");

            assertEquals(List.of("create users table"), names(resolveOk()));
        }

        @Test
        void emptyDirectoryIsAnEmptyCatalog() {
            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of(), catalog.migrations());
            assertTrue(catalog.latest().isEmpty());
        }
    }

    @Nested
    class GolangMigrateLayout {

        @Test
        void upAndDownPairs() throws IOException {
            write("1_create.up.sql", "CREATE TABLE t (id int);\n");
            write("1_create.down.sql", "DROP TABLE t;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.GOLANG_MIGRATE, catalog.layout());
            assertEquals(List.of("1"), versions(catalog));
            assertEquals(List.of("create"), names(catalog));
            Migration m = catalog.migrations().get(0);
            assertEquals("1_create.up.sql", m.up().file());
            assertEquals("1_create.down.sql", m.rollback().orElseThrow().file());
            assertEquals("DROP TABLE t;\n", m.rollback().orElseThrow().sql());
        }

        @Test
        void paddedVersions() throws IOException {
            writeAll("0001_first.up.sql", "0002_x.up.sql", "0002_x.down.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.GOLANG_MIGRATE, catalog.layout());
            assertEquals(List.of("1", "2"), versions(catalog));
            assertEquals("x", migration(catalog, "2").name());
            assertTrue(migration(catalog, "2").rollback().isPresent());
            assertFalse(migration(catalog, "1").rollback().isPresent());
        }

        @Test
        void timestampVersions() throws IOException {
            writeAll("20240101120000_a.up.sql", "20240101120000_a.down.sql", "20231231235959_before.up.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("20231231235959", "20240101120000"), versions(catalog));
            assertEquals(List.of("before", "a"), names(catalog));
            assertTrue(migration(catalog, "20240101120000").rollback().isPresent());
        }

        @Test
        void downWithoutUpIsAnUnpairedRollback() throws IOException {
            writeAll("1_create.up.sql", "2_drop.down.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.UNPAIRED_ROLLBACK);
            assertEquals(List.of("2_drop.down.sql"), p.files());
            assertTrue(p.message().contains("2_drop.down.sql"), p.message());
            assertTrue(p.message().contains("version 2"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }
    }

    @Nested
    class FlywayLayout {

        @Test
        void versionedAndUndoFilesInNumericOrder() throws IOException {
            writeAll("V1__init.sql", "V1_1__more.sql", "V1.2__more2.sql", "V2__x.sql", "U2__x.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.FLYWAY, catalog.layout());
            assertEquals(List.of("1", "1.1", "1.2", "2"), versions(catalog));
            assertEquals(List.of("init", "more", "more2", "x"), names(catalog));
            assertEquals("U2__x.sql", migration(catalog, "2").rollback().orElseThrow().file());
            assertFalse(migration(catalog, "1").rollback().isPresent());
            assertFalse(migration(catalog, "1.1").rollback().isPresent());
        }

        @Test
        void oneTenComesAfterOneTwo() throws IOException {
            writeAll("V1_2__a.sql", "V1_10__b.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("1.2", "1.10"), versions(catalog));
            assertEquals(List.of("a", "b"), names(catalog));
        }

        @Test
        void oneDotZeroIsTheSameVersionAsOne() throws IOException {
            writeAll("V1__a.sql", "V1.0__b.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.DUPLICATE_VERSION);
            assertEquals(Set.of("V1__a.sql", "V1.0__b.sql"), Set.copyOf(p.files()));
            assertEquals(2, p.files().size());
            assertTrue(p.message().contains("V1__a.sql"), p.message());
            assertTrue(p.message().contains("V1.0__b.sql"), p.message());
            assertTrue(p.message().contains("version 1 "), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void repeatableMigrationOutsideFlywayLayoutIsUnsupported() throws IOException {
            writeAll("001_init.sql", "R__views.sql");

            CatalogProblem p = one(resolveProblems(), Kind.UNSUPPORTED_FILE);

            assertEquals(List.of("R__views.sql"), p.files());
            assertTrue(p.message().contains("R__views.sql"), p.message());
            assertTrue(p.message().contains("repeatable"), p.message());
            assertTrue(p.message().contains("Flyway-layout directory"), p.message());
        }

        @Test
        void undoWithoutVersionedIsUnpaired() throws IOException {
            writeAll("V1__init.sql", "U3__gone.sql");

            CatalogProblem p = one(resolveProblems(), Kind.UNPAIRED_ROLLBACK);

            assertEquals(List.of("U3__gone.sql"), p.files());
            assertTrue(p.message().contains("U3__gone.sql"), p.message());
        }
    }

    @Nested
    class DottedLayout {

        @Test
        void versionDotNameWithDotDownRollback() throws IOException {
            write("1.init.sql", "CREATE TABLE a (id int);\n");
            write("2.next.sql", "CREATE TABLE b (id int);\n");
            write("2.next.down.sql", "DROP TABLE b;\n");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.DOTTED, catalog.layout());
            assertEquals(List.of("1", "2"), versions(catalog));
            assertEquals(List.of("init", "next"), names(catalog));
            assertFalse(migration(catalog, "1").rollback().isPresent());
            assertEquals("2.next.down.sql", migration(catalog, "2").rollback().orElseThrow().file());
            assertEquals("2.next.sql", migration(catalog, "2").up().file());
        }

        @Test
        void rollbackPrefixAlsoUndoes() throws IOException {
            writeAll("1.init.sql", "rollback_1.init.sql");

            MigrationCatalog catalog = resolveOk();

            assertEquals(Layout.DOTTED, catalog.layout());
            assertEquals("rollback_1.init.sql", migration(catalog, "1").rollback().orElseThrow().file());
        }
    }

    @Nested
    class Layouts {

        @Test
        void classifiesEachLayout() {
            assertEquals(Layout.FLOTILLA, Layout.classify("001_init.sql").orElseThrow().layout());
            assertTrue(Layout.classify("rollback_001_init.sql").orElseThrow().down());
            assertEquals(Layout.GOLANG_MIGRATE, Layout.classify("1_init.up.sql").orElseThrow().layout());
            assertTrue(Layout.classify("1_init.down.sql").orElseThrow().down());
            assertEquals(Layout.FLYWAY, Layout.classify("V1_1__more.sql").orElseThrow().layout());
            assertEquals(Version.parse("1.1"), Layout.classify("V1_1__more.sql").orElseThrow().version());
            assertTrue(Layout.classify("U2__x.sql").orElseThrow().down());
            assertEquals(Layout.DOTTED, Layout.classify("2.next.down.sql").orElseThrow().layout());
            assertTrue(Layout.classify("2.next.down.sql").orElseThrow().down());
        }

        @Test
        void rejectsNamesOfNoLayout() {
            assertTrue(Layout.classify("seed.sql").isEmpty());
            assertTrue(Layout.classify("rollback_1.x.up.sql").isEmpty());
            assertTrue(Layout.classify("init_001.sql").isEmpty());
        }
    }

    @Nested
    class DirectoryProblems {

        @Test
        void duplicateVersionInFlotillaLayout() throws IOException {
            writeAll("001_a.sql", "1_b.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.DUPLICATE_VERSION);
            assertEquals(List.of("001_a.sql", "1_b.sql"), p.files());
            assertTrue(p.message().contains("001_a.sql"), p.message());
            assertTrue(p.message().contains("1_b.sql"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void duplicateVersionWithSameDescriptionNamesBothFiles() throws IOException {
            writeAll("001_init.sql", "1_init.sql");

            CatalogProblem p = one(resolveProblems(), Kind.DUPLICATE_VERSION);

            assertEquals(List.of("001_init.sql", "1_init.sql"), p.files());
            assertTrue(p.message().contains("001_init.sql"), p.message());
        }

        @Test
        void duplicateRollbackFiles() throws IOException {
            writeAll("001_a.sql", "rollback_001_a.sql", "rollback_1_other.sql");

            CatalogProblem p = one(resolveProblems(), Kind.DUPLICATE_VERSION);

            assertEquals(List.of("rollback_001_a.sql", "rollback_1_other.sql"), p.files());
            assertTrue(p.message().contains("rollback_001_a.sql"), p.message());
            assertTrue(p.message().contains("rollback_1_other.sql"), p.message());
        }

        @Test
        void unpairedFlotillaRollback() throws IOException {
            writeAll("001_a.sql", "002_b.sql", "rollback_003_x.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.UNPAIRED_ROLLBACK);
            assertEquals(List.of("rollback_003_x.sql"), p.files());
            assertTrue(p.message().contains("rollback_003_x.sql"), p.message());
            assertTrue(p.message().contains("version 3"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void mixedLayoutsNameBothLayoutsAndAllFiles() throws IOException {
            writeAll("001_a.sql", "V2__b.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.MIXED_LAYOUTS);
            assertEquals(Set.of("001_a.sql", "V2__b.sql"), Set.copyOf(p.files()));
            assertTrue(p.message().contains(Layout.FLOTILLA.label()), p.message());
            assertTrue(p.message().contains(Layout.FLYWAY.label()), p.message());
            assertTrue(p.message().contains("Flotilla"), p.message());
            assertTrue(p.message().contains("Flyway"), p.message());
            assertTrue(p.message().contains("001_a.sql"), p.message());
            assertTrue(p.message().contains("V2__b.sql"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void mixedGolangAndDotted() throws IOException {
            writeAll("1_a.up.sql", "2.b.sql");

            CatalogProblem p = one(resolveProblems(), Kind.MIXED_LAYOUTS);

            assertTrue(p.message().contains("golang-migrate"), p.message());
            assertTrue(p.message().contains("dotted"), p.message());
            assertEquals(Set.of("1_a.up.sql", "2.b.sql"), Set.copyOf(p.files()));
        }

        @Test
        void unrecognisedSqlFile() throws IOException {
            writeAll("001_a.sql", "seed.sql");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.UNRECOGNISED_FILE);
            assertEquals(List.of("seed.sql"), p.files());
            assertTrue(p.message().contains("seed.sql"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void nonSqlFilesAndSubdirectoriesAreIgnored() throws IOException {
            writeAll("001_a.sql", "rollback_001_a.sql");
            write("README.md", "# migrations\n");
            write("notes.txt", "nothing to see\n");
            write("001_a.sql.bak", "SELECT 'backup';\n");
            write("maintenance/999_vacuum.sql", "VACUUM;\n");
            write("maintenance/seed.sql", "INSERT INTO t VALUES (1);\n");
            Files.createDirectories(dir.resolve("002_not_a_file.sql"));

            MigrationCatalog catalog = resolveOk();

            assertEquals(List.of("1"), versions(catalog));
            assertTrue(catalog.migrations().get(0).rollback().isPresent());
        }

        @Test
        void missingDirectory() {
            Path missing = dir.resolve("no-such-dir");

            Resolution resolution = MigrationResolver.resolve(missing, true);

            assertEquals(missing, resolution.directory());
            assertTrue(resolution.catalog().isEmpty());
            CatalogProblem p = one(resolution.problems(), Kind.DIRECTORY_MISSING);
            assertEquals(List.of(), p.files());
            assertTrue(p.message().contains(missing.toAbsolutePath().toString()), p.message());
            FlotillaException e = assertThrows(FlotillaException.class, resolution::orThrow);
            assertEquals(ErrorCode.CATALOG_INVALID, e.code());
            assertTrue(e.getMessage().contains(p.message()), e.getMessage());
        }

        @Test
        void regularFileInsteadOfDirectoryIsMissing() throws IOException {
            Path file = write("001_a.sql", "SELECT 1;\n");

            Resolution resolution = MigrationResolver.resolve(file, true);

            one(resolution.problems(), Kind.DIRECTORY_MISSING);
            assertTrue(resolution.catalog().isEmpty());
        }

        @Test
        void everyProblemIsReportedAtOnce() throws IOException {
            writeAll("001_a.sql", "1_b.sql", "rollback_003_x.sql", "seed.sql", "R__views.sql", "V4__flyway.sql");
            write("002_c.sql", "-- flotilla:frobnicate\nSELECT 1;\n");
            Files.write(dir.resolve("005_latin1.sql"), new byte[] {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', (byte) 0xE9,
                    '\'', ';', '\n'});

            Resolution resolution = MigrationResolver.resolve(dir, true);
            List<CatalogProblem> problems = resolution.problems();

            assertEquals(Set.of(Kind.DUPLICATE_VERSION, Kind.UNPAIRED_ROLLBACK, Kind.UNRECOGNISED_FILE,
                    Kind.UNSUPPORTED_FILE, Kind.MIXED_LAYOUTS, Kind.UNKNOWN_DIRECTIVE, Kind.UNREADABLE_FILE),
                    Set.copyOf(problems.stream().map(CatalogProblem::kind).toList()), problems::toString);
            assertEquals(7, problems.size(), problems::toString);
            assertTrue(resolution.catalog().isEmpty());

            FlotillaException e = assertThrows(FlotillaException.class, resolution::orThrow);
            assertEquals(ErrorCode.CATALOG_INVALID, e.code());
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
            for (CatalogProblem p : problems) {
                assertTrue(e.getMessage().contains(p.message()), () -> "missing '" + p.message() + "' in " + e.getMessage());
            }
            for (String file : List.of("001_a.sql", "1_b.sql", "rollback_003_x.sql", "seed.sql", "R__views.sql",
                    "V4__flyway.sql", "002_c.sql", "005_latin1.sql")) {
                assertTrue(e.getMessage().contains(file), () -> "missing " + file + " in " + e.getMessage());
            }
            assertEquals(problems.stream().map(CatalogProblem::toString).toList(), e.extensions().get("problems"));
        }

        @Test
        void overlongVersionIsAProblemNotAnException() throws IOException {
            String name = "1".repeat(61) + "_huge.sql";
            writeAll("001_a.sql", name);

            List<CatalogProblem> problems = resolveProblems();

            assertTrue(problems.stream().anyMatch(p -> p.files().contains(name)), problems::toString);
        }
    }

    @Nested
    class Directives {

        @Test
        void directiveSpacingAndCaseAreForgivenButMisspellingsAreReported() throws IOException {
            assertFalse(script("-- FLOTILLA: No-Transaction\nCREATE INDEX i ON t (x);\n").transactional());
            write("002_a.sql", "-- flotilla: no-transactoin\nCREATE TABLE t (id int);\n");
            assertTrue(resolveProblems().stream().anyMatch(p -> p.kind() == Kind.UNKNOWN_DIRECTIVE
                    && p.message().contains("no-transactoin")));
        }

        @Test
        void noTransactionDirective() throws IOException {
            MigrationScript s = script("-- Build something big.\n-- flotilla:no-transaction\n\nCREATE TABLE t (id int);\n");

            assertFalse(s.transactional());
        }

        @Test
        void directiveWithoutSpaceAfterDashes() throws IOException {
            assertFalse(script("--flotilla:no-transaction\nCREATE TABLE t (id int);\n").transactional());
        }

        @Test
        void plainScriptIsTransactional() throws IOException {
            MigrationScript s = script("-- just a table\nCREATE TABLE t (id int);\n");

            assertTrue(s.transactional());
            assertEquals(List.of(), s.requires());
            assertEquals(Map.of(), s.defaults());
            assertTrue(s.placeholders());
        }

        @Test
        void createIndexConcurrentlyWithoutDirectiveIsNotTransactional() throws IOException {
            MigrationScript s = script("""
                    CREATE TABLE t (id int, v text);
                    CREATE INDEX CONCURRENTLY t_v_idx ON t (v);
                    """);

            assertFalse(s.transactional());
        }

        @Test
        void migrationExposesTheUpScriptsTransactionality() throws IOException {
            write("001_idx.sql", "create unique index concurrently t_idx on t (id);\n");
            write("rollback_001_idx.sql", "DROP INDEX t_idx;\n");

            Migration m = resolveOk().migrations().get(0);

            assertFalse(m.transactional());
            assertTrue(m.rollback().orElseThrow().transactional());
            assertEquals(m.up().checksum(), m.checksum());
        }

        @Test
        void refreshMaterializedViewConcurrentlyIsTransactional() throws IOException {
            assertTrue(script("REFRESH MATERIALIZED VIEW CONCURRENTLY stats;\n").transactional());
        }

        @Test
        void concurrentlyInsideACommentIsTransactional() throws IOException {
            MigrationScript s = script("""
                    -- later we may want CREATE INDEX CONCURRENTLY t_v_idx ON t (v);
                    CREATE INDEX /* not CONCURRENTLY: the table is new */ t_v_idx ON t (v);
                    """);

            assertTrue(s.transactional());
        }

        @Test
        void requiresOneExtension() throws IOException {
            MigrationScript s = script("-- flotilla:requires-extension vector\nCREATE TABLE e (v vector(3));\n");

            assertEquals(List.of("vector"), s.requires());
            assertTrue(s.transactional());
        }

        @Test
        void requiresSeveralExtensionsAcrossLines() throws IOException {
            write("001_geo.sql", """
                    -- flotilla:requires-extension postgis, pg_trgm
                    -- flotilla:requires-extension vector
                    -- flotilla:requires-extension pg_trgm
                    CREATE TABLE g (id int);
                    """);

            Migration m = resolveOk().migrations().get(0);

            assertEquals(List.of("postgis", "pg_trgm", "vector"), m.requires());
            assertEquals(m.up().requires(), m.requires());
        }

        @Test
        void requiresExtensionWithoutNameIsInvalid() throws IOException {
            write("001_x.sql", "-- flotilla:requires-extension\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertEquals(List.of("001_x.sql"), p.files());
            assertTrue(p.message().contains("001_x.sql"), p.message());
        }

        @Test
        void requiresExtensionWithBadNameIsInvalid() throws IOException {
            write("001_x.sql", "-- flotilla:requires-extension \"vector\"\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertTrue(p.message().contains("\"vector\""), p.message());
        }

        @Test
        void defaultDirective() throws IOException {
            MigrationScript s = script("""
                    -- flotilla:default embedding_dimensions=1536
                    -- flotilla:default model = text-embedding-3-small
                    CREATE TABLE c (d int DEFAULT ${embedding_dimensions});
                    """);

            assertEquals(Map.of("embedding_dimensions", "1536", "model", "text-embedding-3-small"), s.defaults());
            assertEquals(Set.of("embedding_dimensions"), s.placeholderNames());
        }

        @Test
        void defaultForSchemaIsInvalid() throws IOException {
            write("001_x.sql", "-- flotilla:default schema=public\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertEquals(List.of("001_x.sql"), p.files());
        }

        @Test
        void placeholdersOff() throws IOException {
            String sql = "-- flotilla:placeholders off\nCREATE TABLE ${schema}.t (d int DEFAULT ${embedding_dimensions});\n";

            MigrationScript s = script(sql);

            assertFalse(s.placeholders());
            assertEquals(Set.of(), s.placeholderNames());
            assertEquals(sql, s.render(NEVER_CALLED));
            assertEquals(sql, s.sql());
        }

        @Test
        void placeholdersOnOverridesTheDirectorySwitch() throws IOException {
            MigrationScript s = script("-- flotilla:placeholders on\nSELECT ${x};\n", false);

            assertTrue(s.placeholders());
            assertEquals(Set.of("x"), s.placeholderNames());
        }

        @Test
        void placeholdersWithBadValueIsInvalid() throws IOException {
            write("001_x.sql", "-- flotilla:placeholders maybe\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.INVALID_DIRECTIVE);

            assertTrue(p.message().contains("maybe"), p.message());
        }

        @Test
        void unknownDirective() throws IOException {
            writeAll("001_a.sql");
            write("002_x.sql", "-- flotilla:frobnicate\nSELECT 1;\n");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.UNKNOWN_DIRECTIVE);
            assertEquals(List.of("002_x.sql"), p.files());
            assertTrue(p.message().contains("002_x.sql"), p.message());
            assertTrue(p.message().contains("frobnicate"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void unknownDirectiveInARollbackFile() throws IOException {
            writeAll("001_a.sql");
            write("rollback_001_a.sql", "-- flotilla:frobnicate\nSELECT 1;\n");

            CatalogProblem p = one(resolveProblems(), Kind.UNKNOWN_DIRECTIVE);

            assertEquals(List.of("rollback_001_a.sql"), p.files());
        }

        @Test
        void malformedDefault() throws IOException {
            write("001_x.sql", "-- flotilla:default nonsense\nSELECT 1;\n");

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.INVALID_DIRECTIVE);
            assertEquals(List.of("001_x.sql"), p.files());
            assertTrue(p.message().contains("001_x.sql"), p.message());
            assertTrue(p.message().contains("nonsense"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void directiveAfterTheFirstStatementIsJustAComment() throws IOException {
            MigrationScript s = script("""
                    -- header comment
                    CREATE TABLE t (id int);
                    -- flotilla:no-transaction
                    -- flotilla:frobnicate
                    -- flotilla:requires-extension vector
                    -- flotilla:default nonsense
                    -- flotilla:placeholders off
                    INSERT INTO t VALUES (1);
                    """);

            assertTrue(s.transactional());
            assertEquals(List.of(), s.requires());
            assertEquals(Map.of(), s.defaults());
            assertTrue(s.placeholders());
        }

        @Test
        void blankLinesInTheHeaderDoNotEndIt() throws IOException {
            MigrationScript s = script("-- title\n\n   \n  -- flotilla:requires-extension vector\n\nSELECT 1;\n");

            assertEquals(List.of("vector"), s.requires());
        }

        @Test
        void directivesWorkBehindABomAndCrlf() throws IOException {
            byte[] text = "-- flotilla:no-transaction\r\n-- flotilla:requires-extension vector\r\nSELECT 1;\r\n"
                    .getBytes(UTF_8);
            byte[] withBom = new byte[text.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(text, 0, withBom, 3, text.length);
            Files.write(dir.resolve("001_bom.sql"), withBom);

            MigrationScript s = resolveOk().migrations().get(0).up();

            assertFalse(s.transactional());
            assertEquals(List.of("vector"), s.requires());
        }
    }

    @Nested
    class Placeholders {

        private static final String SQL = """
                CREATE TABLE ${schema}.ai_config (
                    d integer NOT NULL DEFAULT ${embedding_dimensions},
                    m text NOT NULL DEFAULT '${model.name}'
                );
                """;

        @Test
        void placeholderNamesExcludeSchema() throws IOException {
            MigrationScript s = script(SQL);

            assertTrue(s.placeholders());
            assertEquals(Set.of("embedding_dimensions", "model.name"), s.placeholderNames());
        }

        @Test
        void renderReplacesEveryPlaceholderIncludingSchema() throws IOException {
            MigrationScript s = script(SQL);
            Map<String, String> values = Map.of("schema", "\"tenant_a\"", "embedding_dimensions", "1536",
                    "model.name", "text-embedding-3-small");

            assertEquals("""
                    CREATE TABLE "tenant_a".ai_config (
                        d integer NOT NULL DEFAULT 1536,
                        m text NOT NULL DEFAULT 'text-embedding-3-small'
                    );
                    """, s.render(values::get));
            assertEquals(SQL, s.sql(), "rendering leaves the script itself alone");
        }

        @Test
        void renderInsertsValuesLiterally() throws IOException {
            MigrationScript s = script("SELECT '${v}';\n");

            assertEquals("SELECT 'a$1\\b${x}';\n", s.render(Map.of("v", "a$1\\b${x}")::get));
        }

        @Test
        void renderRefusesAnUnknownName() throws IOException {
            MigrationScript s = script("SELECT ${missing};\n");

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.render(name -> null));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }

        @Test
        void directoryLevelSwitchTurnsPlaceholdersOffForEveryFile() throws IOException {
            write("001_a.sql", "CREATE SCHEMA IF NOT EXISTS ${schema};\n");
            write("rollback_001_a.sql", "DROP TABLE ${schema}.t;\n");
            write("002_b.sql", "SELECT ${x};\n");

            MigrationCatalog catalog = resolveOk(dir, false);

            for (Migration m : catalog.migrations()) {
                assertFalse(m.up().placeholders(), m.up().file());
                assertEquals(Set.of(), m.up().placeholderNames());
                assertEquals(m.up().sql(), m.up().render(NEVER_CALLED));
                m.rollback().ifPresent(down -> {
                    assertFalse(down.placeholders(), down.file());
                    assertEquals(down.sql(), down.render(NEVER_CALLED));
                });
            }
            assertEquals(2, catalog.migrations().size());
        }

        @Test
        void dollarQuotesAndPositionalParametersAreNotPlaceholders() throws IOException {
            String sql = """
                    CREATE FUNCTION add_one(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 + 1 $$;
                    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
                    BEGIN
                        NEW.updated_at := now();
                        RETURN NEW;
                    END
                    $body$;
                    PREPARE q(int, text) AS SELECT $1, $2;
                    SELECT '$' || 'price', '{braces}';
                    """;

            MigrationScript s = script(sql);

            assertTrue(s.placeholders());
            assertEquals(Set.of(), s.placeholderNames());
            assertEquals(sql, s.render(NEVER_CALLED));
        }
    }

    @Nested
    class Checksums {

        private static final String LF = "-- header\nCREATE TABLE t (id int);\nINSERT INTO t VALUES ('é');\n";

        private String checksumOf(String name, byte[] bytes) throws IOException {
            Path sub = Files.createDirectories(dir.resolve(name));
            Files.write(sub.resolve("001_t.sql"), bytes);
            return resolveOk(sub, true).migrations().get(0).checksum();
        }

        @Test
        void lineEndingsAndBomDoNotChangeTheChecksum() throws IOException {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] lf = LF.getBytes(UTF_8);
            byte[] withBom = new byte[bom.length + lf.length];
            System.arraycopy(bom, 0, withBom, 0, bom.length);
            System.arraycopy(lf, 0, withBom, bom.length, lf.length);

            String viaLf = checksumOf("lf", lf);
            String viaCrlf = checksumOf("crlf", LF.replace("\n", "\r\n").getBytes(UTF_8));
            String viaCr = checksumOf("cr", LF.replace("\n", "\r").getBytes(UTF_8));
            String viaBom = checksumOf("bom", withBom);

            assertEquals(viaLf, viaCrlf);
            assertEquals(viaLf, viaCr);
            assertEquals(viaLf, viaBom);
        }

        @Test
        void normalisedTextIsWhatTheScriptHolds() throws IOException {
            Files.write(dir.resolve("001_t.sql"), LF.replace("\n", "\r\n").getBytes(UTF_8));

            assertEquals(LF, resolveOk().migrations().get(0).up().sql());
        }

        @Test
        void oneCharacterChangesTheChecksum() throws IOException {
            String original = checksumOf("a", LF.getBytes(UTF_8));
            String changed = checksumOf("b", LF.replace("(id int)", "(id INT)").getBytes(UTF_8));

            assertNotEquals(original, changed);
        }

        @Test
        void checksumIsSha256HexOfTheLfText() throws Exception {
            String checksum = checksumOf("crlf", LF.replace("\n", "\r\n").getBytes(UTF_8));

            assertTrue(checksum.matches("[0-9a-f]{64}"), checksum);
            assertEquals(sha256Hex(LF), checksum);
        }

        @Test
        void rollbackHasItsOwnChecksum() throws Exception {
            write("001_t.sql", "CREATE TABLE t (id int);\n");
            write("rollback_001_t.sql", "DROP TABLE t;\n");

            Migration m = resolveOk().migrations().get(0);

            assertEquals(sha256Hex("CREATE TABLE t (id int);\n"), m.checksum());
            assertEquals(sha256Hex("DROP TABLE t;\n"), m.rollback().orElseThrow().checksum());
        }
    }

    @Nested
    class Encoding {

        @Test
        void nonUtf8BytesAreUnreadable() throws IOException {
            writeAll("001_ok.sql");
            // "café" in ISO-8859-1: 0xE9 followed by a quote is not valid UTF-8
            Files.write(dir.resolve("002_latin1.sql"),
                    new byte[] {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', 'c', 'a', 'f', (byte) 0xE9, '\'', ';', '\n'});

            List<CatalogProblem> problems = resolveProblems();

            CatalogProblem p = one(problems, Kind.UNREADABLE_FILE);
            assertEquals(List.of("002_latin1.sql"), p.files());
            assertTrue(p.message().contains("002_latin1.sql"), p.message());
            assertTrue(p.message().contains("UTF-8"), p.message());
            assertEquals(1, problems.size(), problems::toString);
        }

        @Test
        void nonUtf8RollbackIsUnreadable() throws IOException {
            writeAll("001_ok.sql");
            Files.write(dir.resolve("rollback_001_ok.sql"), new byte[] {(byte) 0xFF, (byte) 0xFE, 'x'});

            CatalogProblem p = one(resolveProblems(), Kind.UNREADABLE_FILE);

            assertEquals(List.of("rollback_001_ok.sql"), p.files());
        }

        @Test
        void utf8TextIsKeptIntact() throws IOException {
            write("001_u.sql", "COMMENT ON TABLE t IS 'naïve – 日本語 😀';\n");

            assertEquals("COMMENT ON TABLE t IS 'naïve – 日本語 😀';\n", resolveOk().migrations().get(0).up().sql());
        }
    }

    @Nested
    class Versions {

        @Test
        void leadingZerosAndTrailingZeroPartsDoNotCount() {
            Version seven = Version.parse("7");

            assertEquals(seven, Version.parse("007"));
            assertEquals(seven, Version.parse("7.0"));
            assertEquals(seven, Version.parse("7_0_0"));
            assertEquals(seven.hashCode(), Version.parse("007").hashCode());
            assertEquals(0, Version.parse("007").compareTo(Version.parse("7.0")));
        }

        @Test
        void canonicalText() {
            assertEquals("7", Version.parse("007").toString());
            assertEquals("7", Version.parse("7.0").toString());
            assertEquals("1.10", Version.parse("1_10").toString());
            assertEquals("1.0.1", Version.parse("1.0.1").toString());
            assertEquals("0", Version.parse("000").toString());
            assertEquals("20240101120000", Version.parse("20240101120000").toString());
        }

        @Test
        void partsCompareNumerically() {
            assertTrue(Version.parse("1_10").compareTo(Version.parse("1.2")) > 0);
            assertTrue(Version.parse("1.2").compareTo(Version.parse("1_10")) < 0);
            assertTrue(Version.parse("10").compareTo(Version.parse("9")) > 0);
            assertTrue(Version.parse("1.0.1").compareTo(Version.parse("1")) > 0);
            assertTrue(Version.parse("2").compareTo(Version.parse("1.99")) > 0);
            assertTrue(Version.parse("99999999999999999999999").compareTo(Version.parse("99999999999999999999998")) > 0);
        }

        @Test
        void garbageIsAnInvalidVersion() {
            for (String text : new String[] {"abc", "", "1.", ".1", "1..2", "-1", "1a", "v1", " 1"}) {
                FlotillaException e = assertThrows(FlotillaException.class, () -> Version.parse(text), text);
                assertEquals(ErrorCode.INVALID_VERSION, e.code(), text);
            }
            FlotillaException nul = assertThrows(FlotillaException.class, () -> Version.parse(null));
            assertEquals(ErrorCode.INVALID_VERSION, nul.code());
        }

        @Test
        void abcIsAnInvalidVersion() {
            FlotillaException e = assertThrows(FlotillaException.class, () -> Version.parse("abc"));

            assertEquals(ErrorCode.INVALID_VERSION, e.code());
            assertTrue(e.getMessage().contains("abc"), e.getMessage());
        }
    }

    @Nested
    class RepositorySampleSet {

        private final Path migrations = Path.of("migrations");

        @Test
        void resolvesTheShippedMigrations() {
            MigrationCatalog catalog = resolveOk(migrations, true);

            assertEquals(Layout.FLOTILLA, catalog.layout());
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), versions(catalog));
            assertEquals(7, catalog.migrations().size());
            for (Migration m : catalog.migrations()) {
                assertTrue(m.rollback().isPresent(), () -> "no rollback for " + m.up().file());
                assertEquals(List.of(), m.requires(), m.up().file());
                assertTrue(m.checksum().matches("[0-9a-f]{64}"), m.checksum());
            }
            assertEquals("create conversations", catalog.migrations().get(0).name());
        }

        @Test
        void versionSevenRunsOutsideATransaction() {
            MigrationCatalog catalog = resolveOk(migrations, true);

            Migration seven = migration(catalog, "7");
            assertFalse(seven.transactional());
            assertFalse(seven.rollback().orElseThrow().transactional());
            for (Migration m : catalog.migrations()) {
                if (!m.version().equals(Version.parse("7"))) {
                    assertTrue(m.transactional(), m.up().file());
                }
            }
        }

        @Test
        void versionFiveDefaultsEmbeddingDimensions() {
            MigrationCatalog catalog = resolveOk(migrations, true);

            Migration five = migration(catalog, "5");
            assertEquals(Map.of("embedding_dimensions", "1536"), five.up().defaults());
            assertEquals(Set.of("embedding_dimensions"), five.up().placeholderNames());
            assertTrue(five.requires().isEmpty());
        }
    }

    @Test
    void orThrowRefusesAResolutionWithProblems() {
        Resolution broken = new Resolution(dir, Optional.empty(),
                List.of(new CatalogProblem(Kind.UNRECOGNISED_FILE, "x.sql matches nothing", List.of("x.sql"))));

        FlotillaException e = assertThrows(FlotillaException.class, broken::orThrow);

        assertEquals(ErrorCode.CATALOG_INVALID, e.code());
        assertTrue(e.getMessage().contains("x.sql matches nothing"), e.getMessage());
        assertEquals(List.of("UNRECOGNISED_FILE: x.sql matches nothing"), e.extensions().get("problems"));
    }
}
