package io.flotilla.api;

import io.flotilla.catalog.Direction;
import io.flotilla.ledger.LedgerEntry;
import io.flotilla.ledger.StepStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One ledger step as clients see it. Named LedgerEntry in the contract; {@code ledger.LedgerEntry} is the row. */
@Schema(name = "LedgerEntry")
public record LedgerEntryView(long id, UUID runId, UUID companyId, String schemaName, String version, String name,
                              String script, Direction direction, StepStatus status, String checksum,
                              boolean transactional, OffsetDateTime startedAt,
                              @Schema(nullable = true) OffsetDateTime finishedAt,
                              @Schema(nullable = true) Long durationMs, @Schema(nullable = true) String error,
                              @Schema(nullable = true) String errorSqlState,
                              @Schema(nullable = true) Integer errorPosition,
                              String executedBy,
                              @Schema(description = "The server holding the company's schema, where the step ran")
                              String server,
                              @Schema(description = "Attempts the step took for its locks, each with a short"
                                      + " lock_timeout; 1 when it got them at once")
                              int lockAttempts,
                              @Schema(description = "The session last seen holding the locks an attempt timed out on:"
                                      + " pid, application_name, state, how long its transaction was open and (unless"
                                      + " FLOTILLA_LOCK_RECORD_QUERY=false) its query's first 200 characters; absent when"
                                      + " no attempt timed out", nullable = true)
                              String lockBlocker) {

    public static LedgerEntryView of(LedgerEntry e) {
        return new LedgerEntryView(e.id(), e.runId(), e.companyId(), e.schemaName(), e.version(), e.name(), e.script(),
                e.direction(), e.status(), e.checksum(), e.transactional(), e.startedAt(), e.finishedAt(),
                e.durationMs(), e.error(), e.errorSqlState(), e.errorPosition(), e.executedBy(), e.server(),
                e.lockAttempts(), e.lockBlocker());
    }
}
