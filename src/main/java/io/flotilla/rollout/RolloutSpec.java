package io.flotilla.rollout;

import io.flotilla.migration.Target;

import java.util.List;
import java.util.UUID;

/**
 * A validated rollout request.
 *
 * @param companyIds the companies to touch; empty means every active company
 * @param canaryIds  companies that form the canary wave (then {@code strategy.canary} is ignored); among companyIds
 * @param strategy   waves, parallelism and failure threshold
 */
public record RolloutSpec(Target target, List<UUID> companyIds, List<UUID> canaryIds, RolloutStrategy strategy,
                          boolean allowDrift) {

    /** Whether the plan's first wave is a canary. */
    public boolean hasCanary() {
        return strategy.hasCanary() || !canaryIds.isEmpty();
    }
}
