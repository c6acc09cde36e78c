package io.flotilla.config;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly the pool timer's double completion is contained; every other uncaught exception reaches the old handler. */
class PoolTimerRaceTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void onlyThePoolTimersDoubleCompletionIsKeptFromTheUncaughtHandler() {
        List<Throwable> seen = new ArrayList<>();
        vertx.exceptionHandler(seen::add);
        PoolTimerRace.contain(vertx);
        PoolTimerRace.contain(vertx); // a second pool: still one wrapper, not a chain
        assertTrue(vertx.exceptionHandler() instanceof PoolTimerRace);

        IllegalStateException race = thrownAt("io.vertx.sqlclient.impl.pool.SqlConnectionPool", "lambda$execute$3",
                "Result is already complete");
        IllegalStateException sameMessageElsewhere = thrownAt("io.flotilla.rollout.RolloutWorker", "run",
                "Result is already complete");
        IllegalStateException otherFromPool = thrownAt("io.vertx.sqlclient.impl.pool.SqlConnectionPool",
                "lambda$execute$3", "something else");
        RuntimeException unrelated = new RuntimeException("boom");
        for (Throwable e : List.of(race, sameMessageElsewhere, otherFromPool, unrelated)) {
            vertx.exceptionHandler().handle(e);
        }

        assertEquals(3, seen.size(), seen.toString());
        assertFalse(seen.contains(race));
        assertSame(sameMessageElsewhere, seen.get(0));
        assertSame(otherFromPool, seen.get(1));
        assertSame(unrelated, seen.get(2));
    }

    private static IllegalStateException thrownAt(String className, String method, String message) {
        IllegalStateException e = new IllegalStateException(message);
        e.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 90),
                new StackTraceElement(className, method, "X.java", 216)});
        return e;
    }
}
