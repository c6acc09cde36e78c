package io.flotilla.sql;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Flotilla's session-level advisory locks, the one place their SQL is written. Two namespaces (the first key of
 * the two-int lock, so Flotilla's locks don't collide with an application's own; the second key is
 * {@code hashtext(name)}): one per schema, held while anything migrates, seeds, resets or maintains it (and while a
 * scratch schema exists), and one per rollout, held by the replica that runs it. A session lock goes with its
 * session, so a process that dies frees it; callers unlock before the connection goes back to the pool. A third
 * namespace holds transaction-level locks, one per extension name, taken while a migration creates an extension in
 * the shared schema (see {@link #extensionLock}).
 * Operators find holders with {@code SELECT * FROM pg_locks WHERE locktype = 'advisory' AND classid IN
 * (1179406164, 1179407442, 1179407448)}.
 */
@ApplicationScoped
public class AdvisoryLocks {

    /** Schema locks ("FLOT"). */
    public static final int SCHEMA_NAMESPACE = 0x464C4F54;
    /** Rollout locks ("FLTR"); the second key is {@code hashtext(rollout id)}. */
    public static final int ROLLOUT_NAMESPACE = 0x464C5452;

    /** Extension locks ("FLTX"), transaction-level; the second key is {@code hashtext(extension name)}. */
    public static final int EXTENSION_NAMESPACE = 0x464C5458;

    /** A won schema lock: whether the schema exists, and what the caller read right after taking it. */
    public record Locked<T>(boolean schemaExists, T read) {
    }

    private final Timer acquired;
    private final Timer timedOut;

    public AdvisoryLocks(MeterRegistry metrics) {
        this.acquired = lockWait(metrics, "acquired");
        this.timedOut = lockWait(metrics, "timeout");
    }

    /** How long schema locks were waited for; buckets so that a dashboard can show a quantile and a slow tail. */
    private static Timer lockWait(MeterRegistry metrics, String outcome) {
        return Timer.builder("flotilla.lock.wait")
                .description("Time spent waiting for a schema's advisory lock, by whether it was won or given up")
                .tag("outcome", outcome)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60))
                .register(metrics);
    }

    /**
     * Takes the schema's lock on this connection, waiting at most {@code wait}. Fails with
     * {@link ErrorCode#SCHEMA_BUSY}; emits whether the schema exists.
     * <p>
     * It polls {@code pg_try_advisory_lock} rather than blocking in {@code pg_advisory_lock}: a statement blocked
     * there holds a snapshot, and the lock holder's {@code CREATE INDEX CONCURRENTLY} waits for every older
     * snapshot to go away, which would deadlock the two.
     */
    public Uni<Boolean> lockSchema(SqlConnection conn, String schema, Duration wait) {
        return lockSchema(conn, schema, wait, () -> Uni.createFrom().nullItem()).map(Locked::schemaExists);
    }

    /**
     * {@link #lockSchema(SqlConnection, String, Duration)}, with a read the caller needs under the lock (the schema's
     * history, say) pipelined behind each attempt: one round trip, and PostgreSQL runs the read after the lock, so
     * what it sees is what the lock holder sees. A losing attempt's read is thrown away.
     */
    public <T> Uni<Locked<T>> lockSchema(SqlConnection conn, String schema, Duration wait, Supplier<Uni<T>> underLock) {
        long began = System.nanoTime();
        return acquire(conn, schema, began + wait.toNanos(), wait, 10, underLock)
                .onItemOrFailure().invoke((locked, e) -> {
                    if (locked != null) {
                        acquired.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
                    } else if (e instanceof FlotillaException f && f.code() == ErrorCode.SCHEMA_BUSY) {
                        timedOut.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
                    }
                });
    }

    /** Whether the schema exists is learnt in the same round trip as the lock (it runs once per company). */
    private <T> Uni<Locked<T>> acquire(SqlConnection conn, String schema, long deadline, Duration wait,
                                       long delayMillis, Supplier<Uni<T>> underLock) {
        Uni<Row> attempt = conn.preparedQuery("SELECT pg_try_advisory_lock($1, hashtext($2)),"
                        + " EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $2)")
                .execute(Tuple.of(SCHEMA_NAMESPACE, schema)).map(rows -> rows.iterator().next());
        return Uni.combine().all().unis(attempt, Pipeline.settled(underLock.get())).asTuple()
                .flatMap(both -> {
                    Row row = both.getItem1();
                    if (row.getBoolean(0)) {
                        return both.getItem2().unwrap().map(read -> new Locked<>(row.getBoolean(1), read));
                    }
                    if (System.nanoTime() >= deadline) {
                        return Uni.createFrom().failure(new FlotillaException(ErrorCode.SCHEMA_BUSY, "Schema '"
                                + schema + "' is locked by another migration; gave up after " + wait.toMillis() + " ms",
                                Map.of("schemaName", schema)));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(delayMillis))
                            .flatMap(ignored -> acquire(conn, schema, deadline, wait, Math.min(delayMillis * 2, 250),
                                    underLock));
                });
    }

    /** One attempt at the schema's lock, no waiting: whether it was won (the janitor's question: is anyone on it?). */
    public Uni<Boolean> tryLockSchema(SqlConnection conn, String schema) {
        return tryLock(conn, SCHEMA_NAMESPACE, schema);
    }

    public Uni<Void> unlockSchema(SqlConnection conn, String schema) {
        return unlock(conn, SCHEMA_NAMESPACE, schema);
    }

    /** One attempt at a rollout's lock: whether this session now runs it. */
    public Uni<Boolean> tryLockRollout(SqlConnection conn, UUID rollout) {
        return tryLock(conn, ROLLOUT_NAMESPACE, rollout.toString());
    }

    public Uni<Void> unlockRollout(SqlConnection conn, UUID rollout) {
        return unlock(conn, ROLLOUT_NAMESPACE, rollout.toString());
    }

    /**
     * A statement that takes the extension's transaction-level lock unless the extension exists already, to be sent
     * in the transaction that creates it: two companies migrating at once would otherwise both try to insert it and
     * one would fail on {@code pg_extension}'s unique index. Waiting here is safe, unlike for schema locks: the holder
     * only runs a transactional script, which never waits for other sessions' snapshots. Once the extension exists
     * (every company after the first), nothing is locked. {@code extension} is a plain name
     * ({@link SqlScript#isPlainName}, as {@link SqlScript#unplacedExtension} gives them), so it is spelled as a literal.
     */
    public static String extensionLock(String extension) {
        if (!SqlScript.isPlainName(extension)) {
            throw new IllegalArgumentException("not a plain extension name: " + extension);
        }
        String literal = "'" + extension + "'";
        return "SELECT pg_advisory_xact_lock(" + EXTENSION_NAMESPACE + ", hashtext(" + literal + "))"
                + " WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = " + literal + ")";
    }

    private static Uni<Boolean> tryLock(SqlConnection conn, int namespace, String name) {
        return conn.preparedQuery("SELECT pg_try_advisory_lock($1, hashtext($2))")
                .execute(Tuple.of(namespace, name)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static Uni<Void> unlock(SqlConnection conn, int namespace, String name) {
        return conn.preparedQuery("SELECT pg_advisory_unlock($1, hashtext($2))")
                .execute(Tuple.of(namespace, name)).replaceWithVoid();
    }
}
