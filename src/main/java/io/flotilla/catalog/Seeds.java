package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Test data for a catalog: every {@code seeds/*.sql} of the migration directory, in file-name order, parsed as
 * migration files are (placeholders, {@code -- flotilla:default}). Read when a seed is asked for, not at start-up:
 * seeds are for test and demo schemas, and a broken one must not stop the service.
 */
public final class Seeds {

    /** The subdirectory of the migration directory that holds the seeds. */
    public static final String DIRECTORY = "seeds";

    private Seeds() {
    }

    public static Path directory(Path catalogDirectory) {
        return catalogDirectory.resolve(DIRECTORY);
    }

    /**
     * The seed files of {@code directory}, in file-name order. Fails with {@link ErrorCode#SEEDS_MISSING} when there is
     * no directory or no {@code .sql} file in it, and with {@link ErrorCode#SEED_INVALID} naming every file that cannot
     * be used: unreadable, a bad directive, or a statement that cannot share the seeds' one transaction.
     */
    public static List<MigrationScript> read(Path directory, boolean placeholders) {
        String where = directory.toAbsolutePath().normalize().toString();
        if (!Files.isDirectory(directory)) {
            throw new FlotillaException(ErrorCode.SEEDS_MISSING, "No seed directory " + where
                    + ": put test data in .sql files there (MIGRATIONS_DIR/" + DIRECTORY + ")", Map.of("directory", where));
        }
        List<Path> files;
        try {
            files = MigrationResolver.sqlFiles(directory);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.SEEDS_MISSING, "Cannot list seed directory " + where + ": "
                    + e.getMessage(), Map.of("directory", where), e);
        }
        if (files.isEmpty()) {
            throw new FlotillaException(ErrorCode.SEEDS_MISSING, "Seed directory " + where + " holds no .sql file",
                    Map.of("directory", where));
        }
        List<CatalogProblem> problems = new ArrayList<>();
        List<MigrationScript> seeds = new ArrayList<>();
        for (Path file : files) {
            MigrationScript seed = MigrationResolver.read(file, placeholders, problems);
            if (seed != null && oneTransaction(seed, problems)) {
                seeds.add(seed);
            }
        }
        if (!problems.isEmpty()) {
            throw new FlotillaException(ErrorCode.SEED_INVALID, "Seed directory " + where + " is invalid, nothing was run: "
                    + problems.stream().map(CatalogProblem::message).collect(Collectors.joining("; ")),
                    Map.of("directory", where, "problems", problems.stream().map(CatalogProblem::toString).toList()));
        }
        return List.copyOf(seeds);
    }

    /**
     * Seeds are all or nothing: a file that needs no transaction would break that. (One that ends the transaction it
     * is in never gets here: reading it refused it, or took off its whole-file wrap; see TransactionWrap.)
     */
    private static boolean oneTransaction(MigrationScript seed, List<CatalogProblem> problems) {
        if (seed.transactional()) {
            return true;
        }
        problems.add(new CatalogProblem(Kind.NOT_TRANSACTIONAL, seed.file() + " runs outside a transaction"
                + " (-- flotilla:no-transaction, or a statement such as CREATE INDEX CONCURRENTLY or VACUUM); every seed"
                + " runs in one transaction, all or nothing", List.of(seed.file())));
        return false;
    }
}
