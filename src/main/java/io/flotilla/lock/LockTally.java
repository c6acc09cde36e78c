package io.flotilla.lock;

/**
 * What one step's lock waits came to, filled by the executor as attempts fail and read by the caller's ledger
 * statement (which runs in the last, successful attempt, or records the failure): how many attempts, and the last
 * blocker seen. {@code server} tags the {@code flotilla.lock.timeouts} counter; {@code pauses} says what the step's
 * caller does with its share of the work while the step pauses between attempts.
 */
public final class LockTally {

    private final String server;
    private final LockPauses pauses;
    private volatile int attempts = 1;
    private volatile Blocker blocker;
    private volatile boolean lent;
    /** Lock waiting a stepped-aside run of this step spent already: counted against the budget. */
    private volatile long carriedNanos;

    public LockTally(String server) {
        this(server, LockPauses.KEEP);
    }

    public LockTally(String server, LockPauses pauses) {
        this.server = server;
        this.pauses = pauses == null ? LockPauses.KEEP : pauses;
    }

    /**
     * Carries on from where the step stepped aside in an earlier run: its attempts (the next one's number), the
     * time it spent waiting for locks (the budget's clock runs on from there: time queued behind other companies
     * does not count) and the last blocker seen.
     */
    public void carryOn(SteppedAside from) {
        if (from != null) {
            attempts = from.nextAttempt();
            blocker = from.blocker();
            carriedNanos = from.spent().toNanos();
        }
    }

    long carriedNanos() {
        return carriedNanos;
    }

    LockPauses pauses() {
        return pauses;
    }

    /** Whether the caller's slot is lent while the step waits for its locks. */
    boolean lent() {
        return lent;
    }

    void lent(boolean lent) {
        this.lent = lent;
    }

    public String server() {
        return server;
    }

    /** Attempts so far, this one included. */
    public int attempts() {
        return attempts;
    }

    /** The last blocker seen, or null when no attempt timed out (or none could be named). */
    public Blocker blocker() {
        return blocker;
    }

    /** {@link #blocker()} described, or null. */
    public String blockerText() {
        Blocker b = blocker;
        return b == null ? null : b.describe();
    }

    void timedOut(Blocker seen) {
        if (seen != null) {
            blocker = seen;
        }
    }

    void nextAttempt() {
        attempts++;
    }
}
