package io.flotilla.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** Polls a condition every 200 ms until a deadline; a probe that throws counts as "not yet". */
public final class Poll {

    private static final long EVERY_MS = 200;

    private Poll() {
    }

    /**
     * Probes until {@code done} accepts the value and returns it; fails naming {@code what}, the last value (or
     * exception) and {@code diagnostics} when the deadline passes.
     */
    public static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<T> done,
                              Function<T, String> diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                last = probe.call();
                lastError = null;
                if (last != null && done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last value: " + last
                        + (lastError == null ? "" : "; last error: " + lastError) + "\n" + diagnostics.apply(last));
            }
            Thread.sleep(EVERY_MS);
        }
    }
}
