package io.flotilla.api;

import io.flotilla.catalog.Direction;
import io.flotilla.ledger.StepStatus;
import io.flotilla.rollout.Rollout;
import io.flotilla.rollout.RolloutState;
import io.flotilla.rollout.RolloutStrategy;
import io.flotilla.rollout.TargetStatus;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A rollout as clients see it: its settings, where it is, and counts of companies (and, in the detail view, of
 * ledger steps) per status. Named Rollout in the contract; {@code rollout.Rollout} is what the repository reads.
 */
@Schema(name = "Rollout")
public record RolloutView(UUID id, @Schema(implementation = Direction.class) String direction, @Schema(nullable = true) String targetVersion, RolloutState state,
                          RolloutStrategy strategy, boolean allowDrift, int totalTargets, int waves, int currentWave,
                          @Schema(nullable = true) String owner, @Schema(nullable = true) OffsetDateTime heartbeatAt,
                          @Schema(nullable = true) String error, OffsetDateTime createdAt,
                          @Schema(nullable = true) OffsetDateTime startedAt,
                          @Schema(nullable = true) OffsetDateTime finishedAt,
                          @Schema(description = "When a scheduled rollout starts (or started): the request's startAt",
                                  nullable = true) OffsetDateTime startAt,
                          @Schema(nullable = true, propertyNames = TargetStatus.class) Map<String, Long> targets,
                          @Schema(nullable = true, propertyNames = StepStatus.class) Map<String, Long> steps,
                          @Schema(nullable = true) List<Failure> failures,
                          @Schema(description = "In the detail view: per server, its companies in this rollout per status"
                                  + " (waiting: the server cannot be reached; the rollout runs them when it can)",
                                  nullable = true, additionalProperties = ServerTargets.class)
                          Map<String, Map<String, Long>> servers,
                          @Schema(description = "In the detail view: companies waiting now (at most 100), each with why:"
                                  + " its maintenance window's next opening, its server away, or its locks",
                                  nullable = true) List<Waiting> waiting) {

    /** A company waiting, with why. */
    @Schema(name = "WaitingTarget")
    public record Waiting(UUID companyId, String schemaName, String server,
                          @Schema(nullable = true, description = "Why it waits; for a maintenance window: \"outside its"
                                  + " maintenance window; opens at\" and the instant") String reason) {
    }

    /** Documentation only: the values of {@code servers}, counts keyed by the target statuses. */
    @Schema(name = "ServerTargets", type = SchemaType.OBJECT, propertyNames = TargetStatus.class,
            additionalProperties = Long.class, description = "Companies of one server in this rollout, per status")
    interface ServerTargets {
    }

    /** A company that failed, with the step and the PostgreSQL error. */
    @Schema(name = "Failure")
    public record Failure(UUID companyId, String schemaName, String server, @Schema(nullable = true) String version,
                          @Schema(nullable = true) String error,
                          @Schema(nullable = true) String sqlState,
                          @Schema(nullable = true) OffsetDateTime finishedAt) {
    }

    public static RolloutView of(Rollout r) {
        List<Failure> failures = r.failures() == null ? null : r.failures().stream()
                .map(f -> new Failure(f.companyId(), f.schemaName(), f.server(), f.version(), f.error(), f.sqlState(),
                        f.finishedAt()))
                .toList();
        return new RolloutView(r.id(), r.direction(), r.targetVersion(), r.state(), r.strategy(), r.allowDrift(),
                r.totalTargets(), r.waves(), r.currentWave(), r.owner(), r.heartbeatAt(), r.error(), r.createdAt(),
                r.startedAt(), r.finishedAt(), r.startAt(), r.targets(), r.steps(), failures, r.servers(),
                r.waiting() == null ? null : r.waiting().stream()
                        .map(w -> new Waiting(w.companyId(), w.schemaName(), w.server(), w.reason())).toList());
    }

    public static List<RolloutView> of(List<Rollout> rollouts) {
        return rollouts.stream().map(RolloutView::of).toList();
    }
}
