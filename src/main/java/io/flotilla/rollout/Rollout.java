package io.flotilla.rollout;

import io.vertx.mutiny.sqlclient.Row;

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

    static final String COLUMNS = "r.id, r.direction, r.target_version, r.state, r.canary_count, r.batch_size,"
            + " r.max_parallel, r.max_failures, r.max_parallel_per_server, r.max_failures_per_server, r.on_lock_timeout, r.lock_timeouts, r.lock_budget, r.statement_timeout, r.allow_drift, r.total_targets, r.waves, r.current_wave, r.owner,"
            + " r.heartbeat_at, r.error, r.created_at, r.started_at, r.finished_at, r.start_at, r.deadline";

    /** The strategy as stored, from a row that has the {@link #COLUMNS}. */
    static RolloutStrategy strategy(Row row) {
        return new RolloutStrategy(row.getInteger("canary_count"), row.getInteger("batch_size"),
                row.getInteger("max_parallel"), row.getInteger("max_failures"), row.getInteger("max_parallel_per_server"),
                row.getInteger("max_failures_per_server"), row.getString("on_lock_timeout"),
                row.getArrayOfStrings("lock_timeouts") == null ? null : List.of(row.getArrayOfStrings("lock_timeouts")),
                row.getString("lock_budget"), row.getString("statement_timeout"), deadline(row));
    }

    private static OffsetDateTime deadline(Row row) {
        OffsetDateTime d = row.getOffsetDateTime("deadline");
        return d == null ? null : d.withOffsetSameInstant(java.time.ZoneOffset.UTC);
    }

    static Rollout from(Row row, Map<String, Long> targets, Map<String, Long> steps, List<Failure> failures,
                        Map<String, Map<String, Long>> servers, List<Waiting> waiting) {
        return new Rollout(row.getUUID("id"), row.getString("direction"), row.getString("target_version"),
                RolloutState.parse(row.getString("state")),
                strategy(row),
                row.getBoolean("allow_drift"), row.getInteger("total_targets"), row.getInteger("waves"),
                row.getInteger("current_wave"), row.getString("owner"), row.getOffsetDateTime("heartbeat_at"),
                row.getString("error"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"),
                row.getOffsetDateTime("finished_at"), row.getOffsetDateTime("start_at"), targets, steps, failures, servers, waiting);
    }
}
