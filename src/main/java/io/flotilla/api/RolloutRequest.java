package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/v1/rollouts}. Every field is optional: an empty body rolls every active company up to
 * the latest version, one wave, four schemas at a time, stopping at the first failure.
 */
public record RolloutRequest(String direction, String targetVersion, List<UUID> companyIds, String status,
                             Strategy strategy, boolean allowDrift, boolean dryRun) {

    /**
     * @param canary      the first N companies with work run alone first and must all succeed
     * @param canaryIds   or: these companies form the canary wave
     * @param batchSize   companies per wave after the canary (default: all in one wave)
     * @param maxParallel schemas in flight at once (default 4; at most DB_POOL_MAX - 2)
     * @param maxFailures failed companies tolerated before no new schema starts (default 0: stop at the first)
     * @param maxParallelPerServer schemas in flight at once on any one PostgreSQL server (default: maxParallel)
     * @param maxFailuresPerServer failed companies tolerated on one server before it takes no more work in this
     *                             rollout while the other servers go on (default: none, only maxFailures)
     */
    // Not "Strategy" in the contract: that is the rollout's own (io.flotilla.rollout.RolloutStrategy).
    @Schema(name = "RolloutRequestStrategy")
    public record Strategy(Integer canary, List<UUID> canaryIds, Integer batchSize, Integer maxParallel,
                           Integer maxFailures, Integer maxParallelPerServer, Integer maxFailuresPerServer) {
    }
}
