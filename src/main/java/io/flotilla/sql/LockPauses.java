package io.flotilla.sql;

import io.smallrye.mutiny.Uni;

/**
 * What a step does with its caller's share of the work (a rollout's worker slot) while it waits for its locks: from
 * its first lock timeout until the step ends it pauses and makes attempts that mostly wait, holding its connection
 * and the schema's lock, nothing else; so a rollout lends the slot to another company meanwhile and takes one back
 * before the step's outcome goes on.
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

    /** The step begins to wait; whether the share was let go (then {@link #resuming} must be asked for it back). */
    boolean pausing();

    /** The step's waiting is over: emits once it has a share again and may go on. */
    Uni<Void> resuming();
}
