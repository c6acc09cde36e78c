package io.flotilla.ledger;

import io.flotilla.catalog.Version;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Filters of {@code GET /api/v1/ledger}; null means "any". {@code since} (inclusive) and {@code until} (exclusive)
 * bound the steps' start time; {@code before} is an id cursor (newest first); {@code server} a registered server's
 * name (checked by the caller); {@code repeatables} keeps only repeatable scripts' runs (version {@code R}), which
 * have no {@link Version}.
 */
public record LedgerFilter(UUID companyId, Version version, boolean repeatables, StepStatus status, OffsetDateTime since,
                           OffsetDateTime until, Long before, int limit, String server) {
}
