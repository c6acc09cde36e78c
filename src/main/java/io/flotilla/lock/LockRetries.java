package io.flotilla.lock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * How a step gets its table locks without stalling the tenant's traffic: attempts under a {@link LockPolicy}, the
 * blocker named after each timeout, pauses between attempts during which the caller may lend the step's slot
 * ({@link LockPauses}), and the step's giving up ({@link LockTimedOut}) or stepping aside ({@link SteppedAside}).
 * The executor runs the attempts; this decides whether and when there is another.
 */
public final class LockRetries {

    /** PostgreSQL's lock_not_available. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    /** Counts lock timeouts by server ({@code flotilla.lock.timeouts}); null in tests that build one by hand. */
    private final MeterRegistry metrics;
    /** Whether a blocker's query is read ({@code flotilla.locks.record-query}). */
    private final boolean recordQuery;

    public LockRetries(MeterRegistry metrics, boolean recordQuery, String homeServer) {
        this.metrics = metrics;
        this.recordQuery = recordQuery;
        if (metrics != null) {
            lockTimeouts(homeServer); // exported from the start, at 0, so a dashboard's query finds it
        }
    }

    /**
     * Runs {@code attempt} (numbered from 1) until it does not fail for a lock timeout (SQLSTATE 55P03). After such a
     * failure, and only then, it names the blocker (one query), counts the timeout, pauses for about the attempt's
     * timeout (jittered, half to one and a half of it, so that the application's queued queries run and parallel
     * steps do not come back in step) on a timer, not a thread, and tries again with the policy's next timeout, as
     * long as that attempt ends within the policy's budget counted from {@code began}. Then it fails with
     * {@link LockTimedOut}. A policy without timeouts runs one attempt, its failures as they are.
     */
    public <T> Uni<T> retrying(SqlConnection conn, String schema, LockPolicy policy, LockTally tally, long began,
                               IntFunction<Uni<T>> attempt) {
        return retrying(conn, schema, policy, tally, began, 1, false, attempt);
    }

    /**
     * {@link #retrying(SqlConnection, String, LockPolicy, LockTally, long, IntFunction)} from attempt {@code first},
     * the budget's clock started {@code began} less what the tally carries over; with {@code mayStepAside}, after a
     * lock timeout that could not lend its slot, the step steps aside when its caller wants it to
     * ({@link LockPauses#stepAside}): it fails with {@link SteppedAside}, nothing recorded.
     */
    public <T> Uni<T> retrying(SqlConnection conn, String schema, LockPolicy policy, LockTally tally, long began,
                               int first, boolean mayStepAside, IntFunction<Uni<T>> attempt) {
        LockTally t = tally == null ? new LockTally(null) : tally;
        // A slot lent while the step waited is taken back before the step's outcome goes on, whichever it is.
        Uni<T> tried = attemptFrom(conn, schema, policy, t, began - t.carriedNanos(), mayStepAside, attempt, first);
        return tried.onItemOrFailure().transformToUni((T item, Throwable e) -> {
            Uni<Void> back = t.lent() ? t.pauses().resuming().invoke(() -> t.lent(false)) : Uni.createFrom().voidItem();
            Uni<T> outcome = e == null ? Uni.createFrom().item(item) : Uni.createFrom().failure(e);
            return back.flatMap(x -> outcome);
        });
    }

    private <T> Uni<T> attemptFrom(SqlConnection conn, String schema, LockPolicy policy, LockTally tally, long began,
                                   boolean mayStepAside, IntFunction<Uni<T>> attempt, int number) {
        Duration timeout = policy.timeoutOf(number);
        Uni<T> tried = Uni.createFrom().deferred(() -> attempt.apply(number));
        if (timeout == null) {
            return tried;
        }
        return tried.onFailure(LockRetries::isLockTimeout).recoverWithUni(e -> blocker(conn, schema).flatMap(b -> {
            tally.timedOut(b);
            if (metrics != null) {
                lockTimeouts(String.valueOf(tally.server())).increment();
            }
            long timeoutMs = LockPolicy.millis(timeout);
            Duration pause = Duration.ofMillis(timeoutMs / 2 + ThreadLocalRandom.current().nextLong(timeoutMs + 1));
            Duration spent = Duration.ofNanos(System.nanoTime() - began);
            if (spent.plus(pause).plus(policy.timeoutOf(number + 1)).compareTo(policy.budget()) > 0) {
                return Uni.createFrom().failure(new LockTimedOut(e, tally.attempts(), spent, b));
            }
            tally.nextAttempt();
            // From here until the step ends it waits (pauses, and attempts that mostly wait for a lock), holding its
            // connection and the schema's lock, nothing else: the caller may lend its slot meanwhile.
            if (!tally.lent()) {
                tally.lent(tally.pauses().pausing());
                if (!tally.lent() && mayStepAside && tally.pauses().stepAside()) {
                    return Uni.createFrom().failure(new SteppedAside(e, tally.attempts(), spent, b, 0));
                }
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(pause)
                    .flatMap(x -> attemptFrom(conn, schema, policy, tally, began, mayStepAside, attempt, number + 1));
        }));
    }

    private Counter lockTimeouts(String server) {
        return Counter.builder("flotilla.lock.timeouts")
                .description("Step attempts that gave up waiting for a table lock (lock_timeout), by server")
                .tag("server", server).register(metrics);
    }

    /**
     * The likeliest blocker, read right after an attempt gave up (its own wait is over by then, so
     * {@code pg_blocking_pids} has nothing to say): of the other sessions holding a lock on a relation of the schema,
     * the one whose transaction is oldest. Null when there is none any more, or the read fails: naming the blocker
     * must never fail the step.
     */
    private Uni<Blocker> blocker(SqlConnection conn, String schema) {
        return Blocker.read(conn, schema, recordQuery).onFailure().recoverWithNull();
    }

    /**
     * Whether a failure is PostgreSQL's "canceling statement due to lock timeout" (SQLSTATE 55P03), however wrapped;
     * a step that stepped aside is not one (it is the caller's to run again).
     */
    public static boolean isLockTimeout(Throwable e) {
        if (e instanceof SteppedAside) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg) {
                return LOCK_NOT_AVAILABLE.equals(pg.getSqlState());
            }
        }
        return false;
    }
}
