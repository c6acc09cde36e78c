package io.flotilla.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The resolved catalog: every migration of one directory, in version order. */
public record MigrationCatalog(Path directory, Layout layout, List<Migration> migrations) {

    public MigrationCatalog {
        migrations = List.copyOf(migrations);
    }

    public Optional<Migration> find(Version version) {
        return migrations.stream().filter(m -> m.version().equals(version)).findFirst();
    }

    public Optional<Version> latest() {
        return migrations.isEmpty() ? Optional.empty()
                : Optional.of(migrations.get(migrations.size() - 1).version());
    }
}
