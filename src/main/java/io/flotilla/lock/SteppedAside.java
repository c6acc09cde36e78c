package io.flotilla.lock;

import java.time.Duration;

/**
 * A transactional step that gave its place up after a lock timeout, its caller having no slot to lend and other
 * companies waiting to start ({@link LockPauses#stepAside}): rolled back, nothing recorded, to be run again
 * after them, carrying on from {@code nextAttempt} with {@code spent} of its budget used
 * ({@link LockTally#carryOn}). {@code stepsDone}: the steps its run completed before it.
 */
public final class SteppedAside extends RuntimeException {
    private final int nextAttempt;
    private final transient Duration spent;
    private final transient Blocker blocker;
    private final int stepsDone;

    SteppedAside(Throwable cause, int nextAttempt, Duration spent, Blocker blocker, int stepsDone) {
        super("stepped aside for its locks after " + (nextAttempt - 1) + " attempt(s) in " + spent.toMillis()
                + " ms" + (blocker == null ? "" : "; blocked by " + blocker.describe()), cause, false, false);
        this.nextAttempt = nextAttempt;
        this.spent = spent;
        this.blocker = blocker;
        this.stepsDone = stepsDone;
    }

    /** The same, after {@code steps} completed steps of its run. */
    public SteppedAside afterSteps(int steps) {
        return new SteppedAside(getCause(), nextAttempt, spent, blocker, steps);
    }

    public int nextAttempt() {
        return nextAttempt;
    }

    public Duration spent() {
        return spent;
    }

    public Blocker blocker() {
        return blocker;
    }

    public int stepsDone() {
        return stepsDone;
    }
}
