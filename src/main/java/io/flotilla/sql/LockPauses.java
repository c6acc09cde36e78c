package io.flotilla.sql;

import io.smallrye.mutiny.Uni;

/**
 * What a step does with its caller's share of the work (a rollout's worker slot) while it pauses between two lock
 * attempts: it does nothing in the pause but hold its connection and the schema's lock, so a rollout lends the slot
 * to another company and takes one back before the next attempt.
 */
public interface LockPauses {

    /** Keeps the share through the pause: how a step runs outside a rollout. */
    LockPauses KEEP = new LockPauses() {
        @Override
        public boolean pausing() {
            return false;
        }

        @Override
        public Uni<Void> resuming() {
            return Uni.createFrom().voidItem();
        }
    };

    /** A pause begins; whether the share was let go (then {@link #resuming} must be asked for it back). */
    boolean pausing();

    /** The pause is over: emits once the step has a share again and may make its next attempt. */
    Uni<Void> resuming();
}
