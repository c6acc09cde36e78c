package io.flotilla.rollout;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A rollout as stored: its settings, where it is, and counts of companies (and, in the detail view, of ledger
 * steps) per status. {@code api.RolloutView} is what clients see.
 */
public record Rollout(UUID id, String direction, String targetVersion, RolloutState state, RolloutStrategy strategy,
                      boolean allowDrift, int totalTargets, int waves, int currentWave, String owner,
                      OffsetDateTime heartbeatAt, String error, OffsetDateTime createdAt, OffsetDateTime startedAt,
                      OffsetDateTime finishedAt, OffsetDateTime startAt, Map<String, Long> targets, Map<String, Long> steps,
                      List<Failure> failures, Map<String, Map<String, Long>> servers, List<Waiting> waiting) {

    /** A company waiting (for its maintenance window, its server or its locks), with why. */
    public record Waiting(UUID companyId, String schemaName, String server, String reason) {
    }

    /** A company that failed, with the step and the PostgreSQL error. */
    public record Failure(UUID companyId, String schemaName, String server, String version, String error,
                          String sqlState, OffsetDateTime finishedAt) {
    }
}
