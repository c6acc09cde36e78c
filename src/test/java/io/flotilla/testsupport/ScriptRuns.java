package io.flotilla.testsupport;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.sql.TenantExecutor;
import io.vertx.mutiny.sqlclient.Pool;

import java.time.Duration;

/**
 * Catalog scripts run against the real PostgreSQL the way a step runs them, without the ledger: for tests of what a
 * layout's files do (the up section alone, the down undoing it, a no-transaction file statement by statement).
 */
public final class ScriptRuns {

    static final Duration WAIT = Duration.ofSeconds(60);

    private final Pool pool;
    private final TenantExecutor executor;

    public ScriptRuns(Pool pool, TenantExecutor executor) {
        this.pool = pool;
        this.executor = executor;
    }

    /** A fresh, empty tenant schema named {@code prefix} and a unique suffix. */
    public String schema(String prefix) {
        String schema = Sql.unique(prefix);
        pool.withConnection(conn -> executor.createSchema(conn, schema)).await().atMost(WAIT);
        return schema;
    }

    /** Renders {@code ${schema}} and runs the script in its transaction, or statement by statement if it has none. */
    public void run(String schema, MigrationScript script) {
        String sql = script.render(name -> name.equals(MigrationScript.SCHEMA) ? "\"" + schema + "\"" : null);
        pool.withConnection(conn -> script.transactional() ? executor.runInTransaction(conn, schema, sql)
                : executor.runWithoutTransaction(conn, schema, sql)).await().atMost(WAIT);
    }
}
