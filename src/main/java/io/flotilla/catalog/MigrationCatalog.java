package io.flotilla.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The resolved catalog: every migration of one directory, in version order, and its repeatable migrations (Flyway's
 * {@code R__name.sql}), in name order, run after the versioned ones; and the lint's rule levels from the directory's
 * {@value LintLevels#FILE}.
 */
public record MigrationCatalog(Path directory, Layout layout, List<Migration> migrations, List<Repeatable> repeatables,
                               LintLevels lintLevels) {

    public MigrationCatalog {
        migrations = List.copyOf(migrations);
        repeatables = repeatables.stream().sorted(Repeatable.ORDER).toList();
        lintLevels = lintLevels == null ? LintLevels.defaults() : lintLevels;
    }

    /** Every lint rule at its default level. */
    public MigrationCatalog(Path directory, Layout layout, List<Migration> migrations, List<Repeatable> repeatables) {
        this(directory, layout, migrations, repeatables, null);
    }

    /** A catalog without repeatable migrations (every layout but Flyway's). */
    public MigrationCatalog(Path directory, Layout layout, List<Migration> migrations) {
        this(directory, layout, migrations, List.of());
    }

    public Optional<Migration> find(Version version) {
        return migrations.stream().filter(m -> m.version().equals(version)).findFirst();
    }

    public Optional<Version> latest() {
        return migrations.isEmpty() ? Optional.empty()
                : Optional.of(migrations.get(migrations.size() - 1).version());
    }
}
