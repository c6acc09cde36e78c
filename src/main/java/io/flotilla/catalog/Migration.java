package io.flotilla.catalog;

import java.util.List;
import java.util.Optional;

/** A resolved migration: its up script and, when the catalog has one, the script that undoes it. */
public record Migration(Version version, String name, MigrationScript up, MigrationScript down) {

    public String checksum() {
        return up.checksum();
    }

    public boolean transactional() {
        return up.transactional();
    }

    public List<String> requires() {
        return up.requires();
    }

    public Optional<MigrationScript> rollback() {
        return Optional.ofNullable(down);
    }
}
