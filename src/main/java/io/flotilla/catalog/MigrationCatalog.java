package io.flotilla.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The resolved catalog: every migration of one directory, in version order, and its repeatable migrations (Flyway's
 * {@code R__name.sql}), in name order, run after the versioned ones.
 */
public record MigrationCatalog(Path directory, Layout layout, List<Migration> migrations, List<Repeatable> repeatables) {

    public MigrationCatalog {
        migrations = List.copyOf(migrations);
        repeatables = repeatables.stream().sorted(Repeatable.ORDER).toList();
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
