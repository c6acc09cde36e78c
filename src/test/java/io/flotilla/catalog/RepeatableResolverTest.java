package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flyway's repeatable migrations ({@code R__name.sql}): read beside V files only, ordered by name, parsed like any script. */
class RepeatableResolverTest {

    @TempDir
    Path dir;

    private void write(String name, String sql) throws IOException {
        Files.writeString(dir.resolve(name), sql);
    }

    @Test
    void repeatablesBesideVersionedFilesAreReadInNameOrder() throws IOException {
        write("V1__init.sql", "CREATE TABLE t (id int);\n");
        write("V2__more.sql", "ALTER TABLE t ADD COLUMN x int;\n");
        write("R__z_views.sql", "CREATE OR REPLACE VIEW z AS SELECT 1;\n");
        write("R__a_functions.sql", "-- flotilla:default n=3\nSELECT ${n};\n");
        write("R__m_index.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\n");

        MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();

        assertEquals(Layout.FLYWAY, catalog.layout());
        assertEquals(List.of("1", "2"), catalog.migrations().stream().map(m -> m.version().toString()).toList());
        // Flyway orders repeatables by description, whatever the file system lists first.
        assertEquals(List.of("a functions", "m index", "z views"), catalog.repeatables().stream().map(Repeatable::name).toList());
        Repeatable functions = catalog.repeatables().get(0);
        assertEquals("R__a_functions.sql", functions.script().file());
        assertEquals(java.util.Map.of("n", "3"), functions.script().defaults());
        assertEquals(64, functions.checksum().length());
        assertTrue(functions.script().transactional());
        assertFalse(catalog.repeatables().get(1).script().transactional(), "CREATE INDEX CONCURRENTLY needs no transaction");
    }

    @Test
    void repeatableWithAnUnknownDirectiveIsAProblem() throws IOException {
        write("V1__init.sql", "SELECT 1;\n");
        write("R__views.sql", "-- flotilla:frobnicate\nSELECT 1;\n");

        List<CatalogProblem> problems = MigrationResolver.resolve(dir, true).problems();

        assertEquals(List.of(Kind.UNKNOWN_DIRECTIVE), problems.stream().map(CatalogProblem::kind).toList());
        assertEquals(List.of("R__views.sql"), problems.get(0).files());
    }

    @Test
    void repeatablesAloneOrInAnotherLayoutAreRefusedByName() throws IOException {
        write("R__views.sql", "SELECT 1;\n");
        List<CatalogProblem> alone = MigrationResolver.resolve(dir, true).problems();
        assertEquals(List.of(Kind.UNSUPPORTED_FILE), alone.stream().map(CatalogProblem::kind).toList(), alone::toString);

        write("1_init.up.sql", "SELECT 1;\n");
        write("1_init.down.sql", "SELECT 1;\n");
        List<CatalogProblem> golang = MigrationResolver.resolve(dir, true).problems();
        assertEquals(1, golang.size(), golang::toString);
        assertEquals(List.of("R__views.sql"), golang.get(0).files());
        assertTrue(golang.get(0).message().contains("Flyway-layout directory"), golang.get(0).message());
    }

    @Test
    void twoFilesOfOneNameClash() throws IOException {
        write("V1__init.sql", "SELECT 1;\n");
        write("R__my_views.sql", "SELECT 1;\n");
        write("R__my views.sql", "SELECT 2;\n");

        List<CatalogProblem> problems = MigrationResolver.resolve(dir, true).problems();

        assertEquals(1, problems.size(), problems::toString);
        assertEquals(Kind.DUPLICATE_VERSION, problems.get(0).kind());
        assertTrue(problems.get(0).message().contains("'my views'"), problems.get(0).message());
    }
}
