package io.flotilla.maintenance;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One run of a maintenance job; {@code steps} only in the single-run view.
 *
 * @param skipped companies left alone because their server was offline or could not be reached, or their maintenance
 *                window was closed (not failures)
 */
public record MaintenanceRun(UUID id, String job, @Schema(enumeration = {"scheduled", "manual"}) String trigger,
                             @Schema(enumeration = {"pending", "running", "succeeded", "failed"}) String state, int companies, int succeeded,
                             int failed, int skipped, @Schema(nullable = true) String executedBy,
                             @Schema(nullable = true) String error, OffsetDateTime createdAt,
                             @Schema(nullable = true) OffsetDateTime startedAt,
                             @Schema(nullable = true) OffsetDateTime finishedAt,
                             @Schema(nullable = true) List<Step> steps) {

    /**
     * What the job did in one company schema.
     *
     * @param server the server holding the schema, where the job ran
     * @param status succeeded, failed, or skipped (its server offline or unreachable, or its window closed;
     *               {@code detail} says which)
     */
    public record Step(UUID companyId, String schemaName, String server,
                       @Schema(enumeration = {"succeeded", "failed", "skipped"}) String status,
                       @Schema(nullable = true) String detail, @Schema(nullable = true) String error,
                       @Schema(nullable = true) String errorSqlState, OffsetDateTime startedAt, long durationMs) {
    }
}
