package io.flotilla.sql;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor and the advisory locks against the real PostgreSQL, on the service's own pool. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class TenantExecutorTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TenantExecutor executor;
    @Inject
    AdvisoryLocks locks;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    <T> T on(Function<SqlConnection, Uni<T>> work) {
        return pool.withConnection(work).await().atMost(WAIT);
    }

    boolean won(Function<SqlConnection, Uni<Boolean>> work) {
        return pool.withConnection(work).await().atMost(WAIT);
    }

    String schema() {
        String schema = Sql.unique("exec");
        on(conn -> executor.createSchema(conn, schema));
        return schema;
    }

    @Test
    void aScriptAndTheCallersStatementCommitTogetherOrNotAtAll() {
        String schema = schema();
        Sql.execute(ds, "CREATE TABLE " + schema + ".log (note text)");
        on(conn -> executor.runAndCommit(conn, schema, "CREATE TABLE t (id int);",
                () -> conn.query("INSERT INTO " + schema + ".log VALUES ('with t')").execute()));
        assertEquals(List.of("log", "t"), Sql.tables(ds, schema), "unqualified names land in the tenant's schema");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM " + schema + ".log"));

        TenantExecutor.StatementFailure failure = assertThrows(TenantExecutor.StatementFailure.class,
                () -> on(conn -> executor.runAndCommit(conn, schema, "CREATE TABLE u (id int);\nSELECT 1/0;",
                        () -> conn.query("INSERT INTO " + schema + ".log VALUES ('with u')").execute())));
        assertEquals("22012", failure.error().getSqlState());
        assertEquals(List.of("log", "t"), Sql.tables(ds, schema), "the failed script was rolled back");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM " + schema + ".log"), "and the caller's row with it");
        assertEquals("\"$user\", public", on(conn -> conn.query("SHOW search_path").execute()
                .map(rows -> rows.iterator().next().getString(0))), "SET LOCAL: the session's path is untouched");
    }

    @Test
    void aScriptPostgresRefusesInATransactionRunsStatementByStatement() {
        String schema = schema();
        on(conn -> executor.runWithoutTransaction(conn, schema,
                "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);"));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND indexname = 't_id'", schema));
        String sql = "CREATE TABLE v (id int);\nSELECT no_such_column FROM v;";
        TenantExecutor.StatementFailure failure = assertThrows(TenantExecutor.StatementFailure.class,
                () -> on(conn -> executor.runWithoutTransaction(conn, schema, sql)));
        assertEquals(sql.indexOf("SELECT"), failure.offset(), "positions point into the whole script");
        assertTrue(Sql.tables(ds, schema).contains("v"), "statements before the failure stay committed");
    }

    @Test
    void onlyScratchSchemasAreDroppedAsScratchAndReservedNamesAreNeverRecreated() {
        String tenant = schema();
        assertInstanceOf(IllegalArgumentException.class, assertThrows(RuntimeException.class,
                () -> on(conn -> executor.dropScratchSchema(conn, tenant))));
        assertTrue(Sql.schemaExists(ds, tenant));
        FlotillaException reserved = assertThrows(FlotillaException.class, () -> on(conn -> executor.recreateSchema(conn,
                "public", WAIT, () -> Uni.createFrom().voidItem())));
        assertEquals(ErrorCode.INVALID_SCHEMA_NAME, reserved.code());
        String scratch = SchemaNames.newScratch();
        assertTrue(SchemaNames.isScratch(scratch) && SchemaNames.isReserved(scratch));
        on(conn -> executor.createSchema(conn, scratch).flatMap(x -> executor.dropScratchSchema(conn, scratch)));
        assertFalse(Sql.schemaExists(ds, scratch));
        FlotillaException exists = assertThrows(FlotillaException.class, () -> on(conn -> executor.createSchema(conn, tenant)));
        assertEquals(ErrorCode.SCHEMA_EXISTS, exists.code());
    }

    @Test
    void aSchemaLockKeepsOthersOutAndTheReadUnderItSeesWhatTheHolderSees() {
        String schema = schema();
        SqlConnection holder = pool.getConnection().await().atMost(WAIT);
        try {
            AdvisoryLocks.Locked<Long> won = locks.lockSchema(holder, schema, Duration.ZERO,
                    () -> holder.query("SELECT 41 + 1").execute().map(rows -> rows.iterator().next().getLong(0)))
                    .await().atMost(WAIT);
            assertTrue(won.schemaExists());
            assertEquals(42L, won.read());
            FlotillaException busy = assertThrows(FlotillaException.class,
                    () -> on(conn -> locks.lockSchema(conn, schema, Duration.ofMillis(100))));
            assertEquals(ErrorCode.SCHEMA_BUSY, busy.code());
            assertFalse(won(conn -> locks.tryLockSchema(conn, schema)));
            locks.unlockSchema(holder, schema).await().atMost(WAIT);
            assertFalse(won(conn -> locks.lockSchema(conn, "no_such_" + schema, Duration.ZERO)
                    .call(x -> locks.unlockSchema(conn, "no_such_" + schema))), "a missing schema is said so");
            assertTrue(won(conn -> locks.tryLockSchema(conn, schema).call(x -> locks.unlockSchema(conn, schema))));
        } finally {
            holder.close().await().atMost(WAIT);
        }
    }

    @Test
    void aRolloutLockIsHeldByOneSessionAndIsNotASchemaLock() {
        UUID rollout = UUID.randomUUID();
        SqlConnection holder = pool.getConnection().await().atMost(WAIT);
        try {
            assertTrue(locks.tryLockRollout(holder, rollout).await().atMost(WAIT));
            assertFalse(won(conn -> locks.tryLockRollout(conn, rollout)));
            assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ?"
                    + " AND objid = hashtext(?)::oid", (long) AdvisoryLocks.ROLLOUT_NAMESPACE, rollout.toString()));
            // Same key, other namespace: a schema of that name is free.
            assertTrue(won(conn -> locks.tryLockSchema(conn, rollout.toString())
                    .call(x -> locks.unlockSchema(conn, rollout.toString()))));
            locks.unlockRollout(holder, rollout).await().atMost(WAIT);
            assertTrue(won(conn -> locks.tryLockRollout(conn, rollout).call(x -> locks.unlockRollout(conn, rollout))));
        } finally {
            holder.close().await().atMost(WAIT);
        }
    }
}
