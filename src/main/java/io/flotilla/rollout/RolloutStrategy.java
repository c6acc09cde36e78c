package io.flotilla.rollout;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * How a rollout runs its companies: one record from the resource (validated by {@link RolloutService}) through the
 * planner, the stored rollout and the {@link RolloutWorker}, and back out in the {@link Rollout} and its API view.
 *
 * @param canary      requested: the first N companies with work run alone first (the canary wave); once planned
 *                    and stored: how many companies that wave holds (also when canaryIds chose them)
 * @param batchSize   companies per wave after the canary; null: one wave
 * @param maxParallel schemas in flight at once
 * @param maxFailures failed companies tolerated; one more stops new schemas from starting (0: stop at the first)
 * @param maxParallelPerServer schemas in flight at once on any one server; null: only maxParallel bounds them
 * @param maxFailuresPerServer failed companies tolerated on one server; one more and that server takes no more work
 *                             in this rollout while the others go on; null: only the fleet-wide maxFailures
 */
// "Strategy" in the contract, as before this record replaced Rollout.Strategy.
@Schema(name = "Strategy")
public record RolloutStrategy(int canary, Integer batchSize, int maxParallel, int maxFailures,
                              Integer maxParallelPerServer, Integer maxFailuresPerServer) {

    /** Without per-server bounds. */
    public RolloutStrategy(int canary, Integer batchSize, int maxParallel, int maxFailures) {
        this(canary, batchSize, maxParallel, maxFailures, null, null);
    }

    /** The bound on one server's schemas in flight. */
    public int perServerParallel() {
        return maxParallelPerServer == null ? maxParallel : Math.min(maxParallel, maxParallelPerServer);
    }

    /** Whether a server with this many failed companies takes no more work in the rollout. */
    public boolean serverStopped(long failuresOnServer) {
        return maxFailuresPerServer != null && failuresOnServer > maxFailuresPerServer;
    }

    /** Whether the first wave is a canary that must succeed whole before the others start. */
    public boolean hasCanary() {
        return canary > 0;
    }

    /** The same strategy with the canary wave's actual size, as the rollout stores it. */
    RolloutStrategy withCanary(int companies) {
        return new RolloutStrategy(companies, batchSize, maxParallel, maxFailures, maxParallelPerServer,
                maxFailuresPerServer);
    }
}
