package io.flotilla.lock;

import java.time.Duration;

/**
 * A step that spent its lock budget: {@code attempts} attempts, each ended by a lock timeout (the last one's
 * failure is the cause), {@code spent} in all, {@code blocker} the last session seen holding the locks.
 */
public final class LockTimedOut extends RuntimeException {
    private final int attempts;
    private final transient Duration spent;
    private final transient Blocker blocker;

    LockTimedOut(Throwable cause, int attempts, Duration spent, Blocker blocker) {
        super("lock-timeout: no lock after " + attempts + " attempt(s) in " + spent.toMillis() + " ms"
                + (blocker == null ? "" : "; blocked by " + blocker.describe()), cause);
        this.attempts = attempts;
        this.spent = spent;
        this.blocker = blocker;
    }

    public int attempts() {
        return attempts;
    }

    public Duration spent() {
        return spent;
    }

    public Blocker blocker() {
        return blocker;
    }
}
