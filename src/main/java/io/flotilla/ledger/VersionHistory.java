package io.flotilla.ledger;

import io.flotilla.catalog.Version;

import java.util.Optional;

/**
 * What the ledger knows of one version in one schema: the last step that settled it (applied or rolled back)
 * and the last attempt after that which did not (running or failed), if any.
 */
public record VersionHistory(Version version, LedgerEntry settled, LedgerEntry attempt) {

    public boolean applied() {
        return settled != null && settled.status().inSchema();
    }

    /** The newest row of all, which says what happened last. */
    public LedgerEntry latest() {
        return attempt != null ? attempt : settled;
    }

    public Optional<LedgerEntry> lastApplied() {
        return applied() ? Optional.of(settled) : Optional.empty();
    }
}
