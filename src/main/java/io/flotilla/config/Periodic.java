package io.flotilla.config;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Work each replica does for itself on a timer (server checks, ledger reconciliation, the stale-step sweep, the
 * monitoring gauges): on a thread of its own that waits for each pass, so a pass slower than the interval delays the
 * next instead of overlapping it. Not a clustered Quartz job: every replica checks its own pools and caches.
 */
public final class Periodic {

    private final ScheduledExecutorService timer;

    private Periodic(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Runs {@code pass} after {@code initialDelay} and then {@code every} after each pass ends; a pass that fails,
     * or takes longer than {@code atMost}, is logged at DEBUG ({@code what} names it) and the next one runs as usual.
     */
    public static Periodic start(String thread, Duration initialDelay, Duration every, Duration atMost, String what,
                                 Supplier<Uni<?>> pass) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, thread));
        timer.scheduleWithFixedDelay(() -> {
            try {
                pass.get().await().atMost(atMost);
            } catch (RuntimeException e) {
                Log.debugf("%s failed: %s", what, e.getMessage());
            }
        }, initialDelay.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return new Periodic(timer);
    }

    /** Stops the timer; a pass under way is interrupted. */
    public void stop() {
        timer.shutdownNow();
    }
}
