package io.flotilla.testsupport;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A catalog made of the given files (name to SQL) in a new directory under {@code parent}, resolved or failing. */
public final class Catalogs {

    private Catalogs() {
    }

    public static MigrationCatalog of(Path parent, Map<String, String> files) throws IOException {
        Path d = Files.createTempDirectory(parent, "catalog");
        for (var f : files.entrySet()) {
            Files.writeString(d.resolve(f.getKey()), f.getValue());
        }
        return MigrationResolver.resolve(d, true).orThrow();
    }
}
