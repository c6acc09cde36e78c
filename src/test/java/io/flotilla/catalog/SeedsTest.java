package io.flotilla.catalog;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeedsTest {

    @TempDir
    Path dir;

    static FlotillaException refused(Path seeds) {
        return assertThrows(FlotillaException.class, () -> Seeds.read(seeds, true));
    }

    @Test
    void readsEverySqlFileInNameOrderWithItsPlaceholders() throws Exception {
        Path seeds = Files.createDirectories(Seeds.directory(dir));
        Files.writeString(seeds.resolve("010_more.sql"), "INSERT INTO t VALUES (2);\n");
        Files.writeString(seeds.resolve("002_first.sql"), "-- flotilla:default n=1\nINSERT INTO ${schema}.t VALUES (${n});\n");
        Files.writeString(seeds.resolve("README.md"), "not a seed");
        Files.createDirectories(seeds.resolve("nested"));

        List<MigrationScript> read = Seeds.read(seeds, true);

        assertEquals(List.of("002_first.sql", "010_more.sql"), read.stream().map(MigrationScript::file).toList());
        assertEquals(java.util.Set.of("n"), read.get(0).placeholderNames());
        assertEquals("1", read.get(0).defaults().get("n"));
    }

    @Test
    void noDirectoryOrNoSqlFileIsSeedsMissingNamingTheDirectory() throws Exception {
        Path seeds = Seeds.directory(dir);
        FlotillaException none = refused(seeds);
        assertEquals(ErrorCode.SEEDS_MISSING, none.code());
        assertEquals(seeds.toAbsolutePath().normalize().toString(), none.extensions().get("directory"));

        Files.createDirectories(seeds);
        Files.writeString(seeds.resolve("notes.txt"), "INSERT INTO t VALUES (1);");
        FlotillaException empty = refused(seeds);
        assertEquals(ErrorCode.SEEDS_MISSING, empty.code());
        assertTrue(empty.getMessage().contains("no .sql file"), empty.getMessage());
    }

    @Test
    void filesThatCannotShareOneTransactionAreInvalidAllNamedAtOnce() throws Exception {
        Path seeds = Files.createDirectories(Seeds.directory(dir));
        Files.writeString(seeds.resolve("001_ok.sql"), "INSERT INTO t VALUES (1);\n");
        Files.writeString(seeds.resolve("002_commits.sql"), "INSERT INTO t VALUES (2);\nCOMMIT;\nINSERT INTO t VALUES (3);\n");
        Files.writeString(seeds.resolve("003_index.sql"), "CREATE INDEX CONCURRENTLY t_x ON t (x);\n");
        Files.writeString(seeds.resolve("004_typo.sql"), "-- flotilla:defualt n=1\nSELECT 1;\n");

        FlotillaException e = refused(seeds);

        assertEquals(ErrorCode.SEED_INVALID, e.code());
        for (String file : List.of("002_commits.sql", "003_index.sql", "004_typo.sql")) {
            assertTrue(e.getMessage().contains(file), e.getMessage());
        }
        assertFalse(e.getMessage().contains("001_ok.sql"), e.getMessage());
    }
}
