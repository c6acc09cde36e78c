package io.flotilla.server;

import io.quarkus.logging.Log;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Whether home (the control plane's database) is away, told in two lines an operator can read at night: one WARN
 * when the first connection failure is reported, with what it affects, and one INFO when home answers again, with
 * how long it was away and what was retried. Everything reported in between is counted into that second line
 * (and logged at DEBUG), not logged once per failed query or connection attempt.
 * <p>
 * The rollout worker reports what a lost connection does to it (a rollout stops starting schemas, a schema in flight
 * is left pending) and, through its poll, that home answers again; other servers have their own check
 * ({@link ServerCheckJob}).
 */
@ApplicationScoped
public class HomeOutage {

    /** A server that is shutting down, restarting, or not accepting connections yet (class 57P). */
    private static final java.util.Set<String> GOING_AWAY = java.util.Set.of("57P01", "57P02", "57P03");

    private final Object lock = new Object();
    /** {@link System#nanoTime()} of the first failure of the current outage; -1 while home answers. */
    private volatile long since = -1;
    private final Map<String, Integer> affected = new LinkedHashMap<>();
    private int failures;

    /**
     * Whether {@code e} says that the database could not be reached or went away (refused connection, connection
     * closed under a query, server shutting down or starting up), rather than that a statement failed.
     */
    public static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // IOException: refused (ConnectException), reset, broken pipe, closed channel.
            if (t instanceof IOException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || GOING_AWAY.contains(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    /** Whether home is away now (a failure was reported and it has not answered since). */
    public boolean away() {
        return since >= 0;
    }

    /**
     * Reports that work on home failed with {@code e}; {@code what} says what it costs, as the outage's summary
     * counts it ("rollout X: schemas left pending, run again"). Returns false, logging nothing, when {@code e} is
     * not a lost connection: the caller reports that failure itself.
     */
    public boolean failed(Throwable e, String what) {
        if (!connectionLost(e)) {
            return false;
        }
        boolean first;
        synchronized (lock) {
            first = since < 0;
            if (first) {
                since = System.nanoTime();
                failures = 0;
                affected.clear();
            }
            failures++;
            affected.merge(what, 1, Integer::sum);
        }
        if (first) {
            Log.warnf("Home database (the control plane's) unreachable: %s. Affected so far: %s. Running rollouts start no"
                    + " more schemas; steps in flight roll back and are retried once it answers", cause(e), what);
        } else {
            Log.debugf("Home database still unreachable (%s): %s", what, cause(e));
        }
        return true;
    }

    /** Home answered a query: if it was away, says so once, with how long and what was retried. */
    public void answered() {
        if (since < 0) {
            return;
        }
        long millis;
        int n;
        StringJoiner retried = new StringJoiner("; ");
        synchronized (lock) {
            if (since < 0) {
                return;
            }
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            n = failures;
            affected.forEach((what, count) -> retried.add(count > 1 ? what + " (×" + count + ")" : what));
            affected.clear();
            since = -1;
        }
        Log.infof("Home database reachable again after %.1f s (%d failures while away); retried: %s",
                millis / 1000.0, n, retried);
    }

    /** The innermost message that says something (the pool wraps the refused connection). */
    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
