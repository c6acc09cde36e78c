package io.flotilla.rollout;

import io.flotilla.migration.Target;

import java.util.List;
import java.util.UUID;

/**
 * A validated rollout request.
 *
 * @param companyIds  the companies to touch; empty means every active company
 * @param canaryCount the first N companies with work run alone first (ignored when canaryIds is given)
 * @param canaryIds   companies that form the canary wave
 * @param batchSize   companies per wave after the canary; null: one wave
 * @param maxParallel schemas in flight at once
 * @param maxFailures failed companies tolerated; one more stops new schemas from starting (0: stop at the first)
 */
public record RolloutSpec(Target target, List<UUID> companyIds, int canaryCount, List<UUID> canaryIds,
                          Integer batchSize, int maxParallel, int maxFailures, boolean allowDrift) {
}
