package io.flotilla.maintenance;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One run of a maintenance job; {@code steps} only in the single-run view.
 *
 * @param skipped companies left alone because their server was offline or could not be reached (not failures)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MaintenanceRun(UUID id, String job, String trigger, String state, int companies, int succeeded,
                             int failed, int skipped, String executedBy, String error, OffsetDateTime createdAt,
                             OffsetDateTime startedAt, OffsetDateTime finishedAt, List<Step> steps) {

    /**
     * What the job did in one company schema.
     *
     * @param server the server holding the schema, where the job ran
     * @param status succeeded, failed, or skipped (its server offline or unreachable; {@code detail} says which)
     */
    public record Step(UUID companyId, String schemaName, String server, String status, String detail, String error,
                       String errorSqlState, OffsetDateTime startedAt, long durationMs) {
    }
}
