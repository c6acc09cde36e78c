package io.flotilla.config;

import io.quarkus.logging.Log;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * Contains a bug of the Vert.x SQL client's pool (eclipse-vertx/vertx-sql-client#1706, in 4.5.25 as in 4.5.34): a
 * query sent through the pool ({@code pool.query(...)}) arms a timer of {@code connectionTimeout} that fails the
 * query's promise, and cancels it only when a connection was acquired. When acquiring fails first (PostgreSQL down:
 * connection refused), the caller gets that failure, and the timer still fires later and fails the completed
 * promise: {@code IllegalStateException: Result is already complete} at
 * {@code SqlConnectionPool.lambda$execute$…}, one uncaught stack trace per query sent while the database was away.
 * Nothing is lost (the caller already has its failure), so exactly that exception is logged at DEBUG; every other
 * uncaught exception still goes to the handler that was there before (Quarkus': an ERROR).
 */
public final class PoolTimerRace implements Handler<Throwable> {

    private static final String POOL = "io.vertx.sqlclient.impl.pool.SqlConnectionPool";

    private final Handler<Throwable> next;

    private PoolTimerRace(Handler<Throwable> next) {
        this.next = next;
    }

    /** Wraps Vert.x's uncaught-exception handler (one per Vert.x instance, so for every pool), once. */
    public static void contain(Vertx vertx) {
        synchronized (PoolTimerRace.class) {
            Handler<Throwable> current = vertx.exceptionHandler();
            if (!(current instanceof PoolTimerRace)) {
                vertx.exceptionHandler(new PoolTimerRace(current));
            }
        }
    }

    @Override
    public void handle(Throwable e) {
        if (isPoolTimerRace(e)) {
            Log.debugf("Vert.x pool timer fired after its query had already failed (vertx-sql-client#1706): %s", e);
        } else if (next != null) {
            next.handle(e);
        } else {
            Log.error("Uncaught exception received by Vert.x", e);
        }
    }

    /** Exactly the pool timer's double completion: that message, thrown from the pool's execute timer. */
    static boolean isPoolTimerRace(Throwable e) {
        if (!(e instanceof IllegalStateException) || !"Result is already complete".equals(e.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : e.getStackTrace()) {
            if (POOL.equals(frame.getClassName()) && frame.getMethodName().startsWith("lambda$execute")) {
                return true;
            }
        }
        return false;
    }
}
