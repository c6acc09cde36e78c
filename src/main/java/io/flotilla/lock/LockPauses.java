package io.flotilla.lock;

import io.smallrye.mutiny.Uni;

/**
 * What a step does with its caller's share of the work (a rollout's worker slot) while it waits for its locks: from
 * its first lock timeout until the step ends it pauses and makes attempts that mostly wait, holding its connection
 * and the schema's lock, nothing else; so a rollout lends the slot to another company meanwhile and takes one back
 * before the step's outcome goes on. Where no slot can be lent (each lent one keeps a pooled connection), a
 * transactional step may step aside instead: it ends now, rolled back, its connection and schema lock released, and
 * the caller runs the company again after the ones waiting to start, the step carrying on from its attempts so far.
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

    /**
     * Asked after a lock timeout when the share could not be lent: whether the caller would rather the step step
     * aside ({@link SteppedAside}) and run again later than wait holding the share. The caller that
     * says yes must run the company again.
     */
    default boolean stepAside() {
        return false;
    }

    /**
     * Where the company's last run stepped aside, for its first step of this run to carry on from (taken once); null
     * when it did not.
     */
    default SteppedAside carriedOver() {
        return null;
    }
}
