package io.flotilla.tenant;

import io.smallrye.mutiny.Uni;

import java.util.UUID;

/**
 * Whether an unfinished rollout holds a company, which a reset must refuse. Asked here and answered by
 * {@code rollout.RolloutRepository}, so that tenant needs nothing from rollout (which reads companies).
 */
public interface RolloutHolds {

    /** The unfinished rollout that holds this company (its target still active), or a null item. */
    Uni<UUID> activeRolloutOf(UUID companyId);
}
