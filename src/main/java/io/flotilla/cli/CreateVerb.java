package io.flotilla.cli;

import io.flotilla.catalog.NewMigration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** {@code flotilla create --name add_invoices}: the next migration and its rollback, written locally. */
@Command(name = "create", header = "Write the next migration and its rollback", sortOptions = false,
        description = {"Write the next-numbered migration and its rollback into the catalog directory, named in the"
                + " layout the directory already uses (Flotilla's 001_x.sql / rollback_001_x.sql when it is empty), from a"
                + " short commented template: one file holding both directions for goose, dbmate and Liquibase, Prisma's"
                + " N_name/migration.sql, sqitch's deploy/revert/verify scripts plus a line appended to sqitch.plan."
                + " Prints the paths written. Needs no service; never overwrites a file.",
                "Exit 0, or 2 when the name or the directory is refused (nothing written)."},
        footer = {"", "Examples:", "  flotilla create --name add_invoices",
                "  flotilla create --name 'Add invoices' --dir db/tenant-migrations"})
final class CreateVerb extends Verb {

    /** What --output json reports; {@code down} is null when the up file holds the rollback too (or there is none). */
    record Created(String version, String name, String layout, String up, String down) {
    }

    @Option(names = "--name", paramLabel = "NAME", required = true,
            description = "what the migration does: letters, digits and underscores (spaces and hyphens become _)")
    String name;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "the catalog directory (default: $MIGRATIONS_DIR, else ./migrations)")
    Path dir;

    @Override
    protected Outcome run(Output output) {
        String configured = root.settings().apply("MIGRATIONS_DIR");
        Path directory = dir != null ? dir : Path.of(configured != null ? configured : "./migrations");
        NewMigration.Planned planned = NewMigration.plan(directory, name, Clock.systemUTC());
        if (planned.migration().isEmpty()) {
            throw CliFailure.usage("cannot create a migration in " + directory.toAbsolutePath().normalize() + ": "
                    + String.join("; ", planned.problems()));
        }
        NewMigration migration = planned.migration().get();
        List<Path> written;
        try {
            written = migration.write();
        } catch (FileAlreadyExistsException e) {
            throw CliFailure.usage(e.getFile() + " already exists (written meanwhile?); nothing written");
        } catch (IOException e) {
            throw CliFailure.usage("cannot write into " + directory.toAbsolutePath().normalize() + ": " + e);
        }
        Path up = migration.up().path().normalize();
        String down = migration.down() == null ? null : migration.down().path().normalize().toString();
        StringBuilder text = new StringBuilder();
        written.forEach(path -> text.append(path.normalize()).append('\n'));
        return Outcome.ok(new Created(migration.version(), migration.name(),
                migration.layout().name().toLowerCase(java.util.Locale.ROOT), up.toString(), down), text.toString());
    }
}
