package io.flotilla.api;

import io.flotilla.catalog.Direction;
import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/v1/rollouts}. Every field is optional: an empty body rolls every active company up to
 * the latest version, one wave, four schemas at a time, stopping at the first failure.
 */
public record RolloutRequest(@Schema(implementation = Direction.class) String direction, String targetVersion,
                             List<UUID> companyIds, @Schema(implementation = CompanyStatus.class) String status,
                             Strategy strategy, boolean allowDrift, boolean dryRun,
                             @Schema(description = "Start the rollout at this instant instead of now: it is 'scheduled' until"
                                     + " then (listed, cancellable) and planned when it starts; at most a year ahead")
                             OffsetDateTime startAt) {

    /**
     * @param canary      the first N companies with work run alone first and must all succeed
     * @param canaryIds   or: these companies form the canary wave
     * @param batchSize   companies per wave after the canary (default: all in one wave)
     * @param maxParallel schemas in flight at once (default 4; at most DB_POOL_MAX - 2)
     * @param maxFailures failed companies tolerated before no new schema starts (default 0: stop at the first)
     * @param maxParallelPerServer schemas in flight at once on any one PostgreSQL server (default: maxParallel)
     * @param maxFailuresPerServer failed companies tolerated on one server before it takes no more work in this
     *                             rollout while the other servers go on (default: none, only maxFailures)
     * @param onLockTimeout   {@code fail} (default): a company whose step spent its lock budget fails;
     *                        {@code wait}: it waits and is tried again after the others, until its locks come free
     * @param lockTimeouts    each attempt's lock_timeout ("100ms", "2s"), the last repeating (default
     *                        FLOTILLA_LOCK_TIMEOUTS); an empty array: one attempt without lock_timeout (as Flyway runs)
     * @param lockBudget      time a step may spend on attempts and pauses (default FLOTILLA_LOCK_BUDGET)
     * @param statementTimeout statement_timeout of every step, "0" for none (default FLOTILLA_STATEMENT_TIMEOUT)
     * @param deadline        after this instant no company starts: those not reached (waiting for their window, or
     *                        not started yet) are cancelled with that reason and the rollout ends, failed
     */
    // Not "Strategy" in the contract: that is the rollout's own (io.flotilla.rollout.RolloutStrategy).
    @Schema(name = "RolloutRequestStrategy")
    public record Strategy(Integer canary, List<UUID> canaryIds, Integer batchSize, Integer maxParallel,
                           Integer maxFailures, Integer maxParallelPerServer, Integer maxFailuresPerServer,
                           @Schema(enumeration = {"fail", "wait"}, defaultValue = "fail") String onLockTimeout,
                           @Schema(examples = "[\"100ms\", \"1s\", \"5s\"]") List<String> lockTimeouts,
                           @Schema(examples = "30s") String lockBudget,
                           @Schema(examples = "10m") String statementTimeout,
                           @Schema(description = "After this instant no company starts: those not reached are"
                                   + " cancelled and the rollout ends (failed); in the future, and after startAt")
                           OffsetDateTime deadline) {
    }
}
