package io.flotilla.ledger;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where one catalog version (or repeatable migration) stands in one tenant schema (catalog × ledger, like Flyway's info). */
public enum MigrationState {
    /** Never applied, or rolled back since. */
    PENDING,
    /** Applied and not rolled back. */
    APPLIED,
    /** The last attempt failed; not applied. */
    FAILED,
    /** A step is in flight right now (or its process died and no one has taken the schema's lock since). */
    RUNNING,
    /** Applied according to the ledger, but the catalog no longer has the file. */
    MISSING,
    /** A repeatable migration applied from an older text of its file: the next run to the latest version runs it. */
    OUTDATED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
