package io.flotilla.execution;

import io.flotilla.catalog.SqlScript;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.tenant.TenantRules;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one place that builds SQL against tenant schemas: it quotes identifiers, sets {@code search_path} and owns
 * the per-schema advisory lock. Schema names arrive validated (see {@code TenantRules}) and are quoted anyway.
 */
@ApplicationScoped
public class TenantExecutor {

    /**
     * First key of the two-int advisory lock ("FLOT"), so Flotilla's locks don't collide with an application's
     * own; the second key is {@code hashtext(schema)}. Operators find holders with
     * {@code SELECT * FROM pg_locks WHERE locktype = 'advisory' AND classid = 1179406164}.
     */
    public static final int LOCK_NAMESPACE = 0x464C4F54;

    /** {@code "name"} with embedded quotes doubled, as PostgreSQL's quote_ident does. */
    public static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public Uni<Void> createSchema(SqlClient client, String schema) {
        return client.query("CREATE SCHEMA " + quoteIdent(schema)).execute()
                .onFailure(e -> e instanceof PgException pg && "42P06".equals(pg.getSqlState()))
                .transform(e -> new FlotillaException(ErrorCode.SCHEMA_EXISTS, "Schema '" + schema
                        + "' already exists in the database; onboard under another schemaName or drop it first",
                        Map.of(), e))
                .replaceWithVoid();
    }

    /**
     * Drops one of Flotilla's scratch schemas with everything in it. Refuses any other name: it must never reach a
     * tenant's schema, which only {@link #recreateSchema} (a reset) drops.
     */
    public Uni<Void> dropScratchSchema(SqlClient client, String schema) {
        if (!ScratchSchemas.isScratchName(schema)) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a scratch schema: " + schema));
        }
        return client.query("DROP SCHEMA IF EXISTS " + quoteIdent(schema) + " CASCADE").execute().replaceWithVoid();
    }

    /**
     * Drops a tenant's schema with everything in it and creates it again, empty, in one transaction together with a
     * statement of the caller's ({@code inTransaction}: the ledger's record of it), pipelined as a migration step is:
     * both commit, or neither. Refuses names no tenant may have ({@code public}, {@code pg_*}, scratch schemas…),
     * whatever the companies table says: this is the one {@code DROP SCHEMA} Flotilla sends to a tenant schema.
     */
    public <T> Uni<T> recreateSchema(SqlConnection conn, String schema, Supplier<Uni<T>> inTransaction) {
        String quoted = quoteIdent(TenantRules.schemaName(schema));
        return runAndCommit(conn, schema, "DROP SCHEMA " + quoted + " CASCADE;\nCREATE SCHEMA " + quoted,
                inTransaction);
    }

    /**
     * Takes the schema's session-level advisory lock on this connection, waiting at most {@code wait}; the lock
     * goes with the session, so a process that dies frees it. Fails with {@link ErrorCode#SCHEMA_BUSY}; emits
     * whether the schema exists.
     * <p>
     * It polls {@code pg_try_advisory_lock} rather than blocking in {@code pg_advisory_lock}: a statement blocked
     * there holds a snapshot, and the lock holder's {@code CREATE INDEX CONCURRENTLY} waits for every older
     * snapshot to go away, which would deadlock the two.
     */
    public Uni<Boolean> lock(SqlConnection conn, String schema, Duration wait) {
        return lock(conn, schema, wait, () -> Uni.createFrom().nullItem()).map(Locked::schemaExists);
    }

    /** A won schema lock: whether the schema exists, and what the caller read right after taking it. */
    public record Locked<T>(boolean schemaExists, T read) {
    }

    /**
     * {@link #lock(SqlConnection, String, Duration)}, with a read the caller needs under the lock (the schema's
     * history, say) pipelined behind each attempt: one round trip, and PostgreSQL runs the read after the lock, so
     * what it sees is what the lock holder sees. A losing attempt's read is thrown away.
     */
    public <T> Uni<Locked<T>> lock(SqlConnection conn, String schema, Duration wait, Supplier<Uni<T>> underLock) {
        return acquire(conn, schema, System.nanoTime() + wait.toNanos(), wait, 10, underLock);
    }

    /** Whether the schema exists is learnt in the same round trip as the lock (it runs once per company). */
    private <T> Uni<Locked<T>> acquire(SqlConnection conn, String schema, long deadline, Duration wait,
                                       long delayMillis, Supplier<Uni<T>> underLock) {
        Uni<Row> attempt = conn.preparedQuery("SELECT pg_try_advisory_lock($1, hashtext($2)),"
                        + " EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $2)")
                .execute(Tuple.of(LOCK_NAMESPACE, schema)).map(rows -> rows.iterator().next());
        return Uni.combine().all().unis(attempt, settled(underLock.get())).asTuple()
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

    public Uni<Void> unlock(SqlConnection conn, String schema) {
        return conn.preparedQuery("SELECT pg_advisory_unlock($1, hashtext($2))")
                .execute(Tuple.of(LOCK_NAMESPACE, schema)).replaceWithVoid();
    }

    /**
     * Opens a transaction and runs a script in it with the tenant schema first on the search path, in one round
     * trip. Error positions are made relative to the script again.
     */
    private Uni<Void> beginAndRun(SqlConnection conn, String schema, String sql) {
        String prefix = "BEGIN; SET LOCAL search_path TO " + quoteIdent(schema) + ", public;\n";
        return conn.query(prefix + sql).execute()
                .onFailure(PgException.class).transform(e -> new StatementFailure((PgException) e, -prefix.length()))
                .replaceWithVoid();
    }

    /**
     * Runs a script in a transaction together with a statement of the caller's ({@code inTransaction}: the ledger
     * record, which must commit with the migration or not at all) and commits, all three pipelined in one round
     * trip: this runs for every step of every schema, and each wait for PostgreSQL's answer costs as much as a small
     * migration. Safe without waiting: after a failed script PostgreSQL refuses the record ("current transaction is
     * aborted") and turns the COMMIT into a rollback; after a failed record the COMMIT rolls the script back too.
     * Fails with the first failure in that order, the transaction already ended.
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> runAndCommit(SqlConnection conn, String schema, String sql, Supplier<Uni<T>> inTransaction) {
        return pipelined(beginAndRun(conn, schema, sql), inTransaction.get(), commit(conn)).map(items -> (T) items.get(1));
    }

    /**
     * Sends statements on one connection without waiting between them (the client pipelines them in this order)
     * and waits for every answer; fails with the first failure in that order, else emits the answers in order.
     */
    private static Uni<List<Object>> pipelined(Uni<?>... statements) {
        List<Uni<?>> all = new ArrayList<>();
        for (Uni<?> statement : statements) {
            all.add(settled(statement));
        }
        return Uni.combine().all().unis(all).with(Settled.class, answers -> answers).flatMap(answers -> {
            List<Object> items = new ArrayList<>();
            for (Settled<?> answer : answers) {
                if (answer.failure() != null) {
                    return Uni.createFrom().failure(answer.failure());
                }
                items.add(answer.item());
            }
            return Uni.createFrom().item(items);
        });
    }

    /** An item or a failure, as an item: pipelined statements are all waited for before one of them is looked at. */
    private record Settled<T>(T item, Throwable failure) {
        Uni<T> unwrap() {
            return failure == null ? Uni.createFrom().item(item) : Uni.createFrom().failure(failure);
        }
    }

    private static <T> Uni<Settled<T>> settled(Uni<T> uni) {
        return uni.map(item -> new Settled<>(item, null)).onFailure().recoverWithItem(e -> new Settled<>(null, e));
    }

    private Uni<Void> commit(SqlConnection conn) {
        return conn.query("COMMIT").execute().replaceWithVoid();
    }

    /**
     * Runs scripts one after another in one transaction under the tenant's search path, then commits: all of them or
     * none. One round trip per script, so that a failure can name its script: it fails with a {@link ScriptFailure}
     * (the script's index, or -1 for the {@code COMMIT}), the transaction rolled back. Scripts holding nothing but
     * comments are not sent.
     */
    public Uni<Void> runAllAndCommit(SqlConnection conn, String schema, List<String> scripts) {
        Uni<Void> chain = conn.query("BEGIN; SET LOCAL search_path TO " + quoteIdent(schema) + ", public").execute()
                .replaceWithVoid();
        for (int i = 0; i < scripts.size(); i++) {
            int index = i;
            String sql = scripts.get(i);
            if (SqlScript.split(sql).isEmpty()) {
                continue;
            }
            chain = chain.flatMap(x -> conn.query(sql).execute().replaceWithVoid()
                    .onFailure(PgException.class)
                    .transform(e -> new ScriptFailure(index, new StatementFailure((PgException) e, 0))));
        }
        return chain.flatMap(x -> commit(conn).onFailure(PgException.class)
                        .transform(e -> new ScriptFailure(-1, new StatementFailure((PgException) e, 0))))
                .onFailure().call(() -> conn.query("ROLLBACK").execute().onFailure().recoverWithNull());
    }

    /** Runs a script in a transaction of its own under the tenant's search path: committed, or rolled back. */
    public Uni<Void> runInTransaction(SqlConnection conn, String schema, String sql) {
        return runAndCommit(conn, schema, sql, () -> Uni.createFrom().voidItem());
    }

    /**
     * Runs a script that PostgreSQL refuses inside a transaction block: statement by statement, each committed
     * on its own (one multi-statement string would be one implicit transaction). A {@code CREATE INDEX
     * CONCURRENTLY} that failed before left an INVALID index behind; it is dropped first so the retry can build it.
     * Failures carry the offset of the failing statement, so positions can point into the whole script.
     */
    public Uni<Void> runWithoutTransaction(SqlConnection conn, String schema, String sql) {
        return runWithoutTransaction(conn, schema, sql, () -> Uni.createFrom().voidItem(),
                () -> Uni.createFrom().voidItem());
    }

    /**
     * {@link #runWithoutTransaction(SqlConnection, String, String)} between two statements of the caller's (the
     * ledger's running row and its closing), each pipelined with the set-up or the clean-up: {@code before} goes
     * in the round trip that sets the search path, and no statement of the script runs unless it succeeded;
     * {@code after} goes with the {@code RESET}, once every statement succeeded. It qualifies its tables, as the
     * search path is still the tenant's when it runs.
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> runWithoutTransaction(SqlConnection conn, String schema, String sql, Supplier<Uni<?>> before,
                                            Supplier<Uni<T>> after) {
        List<String> statements = SqlScript.split(sql);
        List<String> indexes = new ArrayList<>();
        statements.forEach(s -> indexes.addAll(SqlScript.concurrentIndexNames(s)));
        Uni<Void> setPath = conn.query("SET search_path TO " + quoteIdent(schema) + ", public").execute()
                .replaceWithVoid();
        Uni<List<String>> invalid = indexes.isEmpty() ? Uni.createFrom().item(List.of())
                : invalidIndexes(conn, schema, indexes);
        Uni<Void> chain = pipelined(before.get(), setPath, invalid)
                .flatMap(items -> dropIndexes(conn, schema, (List<String>) items.get(2)));
        int from = 0;
        for (String statement : statements) {
            int offset = Math.max(0, sql.indexOf(statement, from));
            from = offset + statement.length();
            chain = chain.flatMap(ignored -> conn.query(statement).execute()
                    .onFailure(PgException.class).transform(e -> new StatementFailure((PgException) e, offset))
                    .replaceWithVoid());
        }
        // The session goes back to the pool: leave its search_path as we found it.
        return chain.onFailure().call(() -> resetSearchPath(conn))
                .flatMap(ok -> pipelined(after.get(), resetSearchPath(conn))).map(items -> (T) items.get(0));
    }

    /** Best effort, as before any pooled session is reused: a failure here is the connection's, seen by its next user. */
    private static Uni<Void> resetSearchPath(SqlConnection conn) {
        return conn.query("RESET search_path").execute().replaceWithVoid().onFailure().recoverWithNull();
    }

    private Uni<List<String>> invalidIndexes(SqlConnection conn, String schema, List<String> names) {
        return conn.preparedQuery("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = $1 AND c.relname = ANY($2) AND NOT i.indisvalid")
                .execute(Tuple.of(schema, names.toArray(String[]::new)))
                .map(rows -> {
                    List<String> invalid = new ArrayList<>();
                    rows.forEach(row -> invalid.add(row.getString(0)));
                    return invalid;
                });
    }

    private Uni<Void> dropIndexes(SqlConnection conn, String schema, List<String> names) {
        Uni<Void> drops = Uni.createFrom().voidItem();
        for (String name : names) {
            String index = quoteIdent(schema) + "." + quoteIdent(name);
            drops = drops.flatMap(ignored -> conn.query("DROP INDEX CONCURRENTLY IF EXISTS " + index)
                    .execute().replaceWithVoid());
        }
        return drops;
    }

    /**
     * Whether the fleet-wide table template look-ups join ({@code public.models_details}) exists: a rollout asks
     * once, and skips the per-company look-up when it does not.
     */
    public Uni<Boolean> templateLookupPossible(SqlClient client) {
        return client.query("SELECT to_regclass('public.models_details') IS NOT NULL").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * What a tenant schema says about template values settings don't give: {@code embedding_dimensions} is the
     * {@code vector_number} of the schema's {@code ai_config.embedding_model} in {@code public.models_details},
     * when both tables exist. One round trip to find the tables, one to read the value.
     */
    public Uni<Map<String, String>> lookupTemplateValues(SqlClient client, String schema, Set<String> names) {
        if (!names.contains("embedding_dimensions")) {
            return Uni.createFrom().item(Map.of());
        }
        // Catalog lookups only (no information_schema views): this runs once per company of a rollout.
        return client.preparedQuery("SELECT to_regclass($1) IS NOT NULL AND to_regclass('public.models_details') IS NOT NULL,"
                        + " (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = to_regclass('public.models_details')"
                        + " AND a.attname IN ('model_name', 'embedding_model', 'model', 'name') AND NOT a.attisdropped"
                        + " ORDER BY array_position(ARRAY['model_name', 'embedding_model', 'model', 'name']::text[], a.attname::text) LIMIT 1)")
                .execute(Tuple.of(quoteIdent(schema) + ".ai_config"))
                .flatMap(rows -> {
                    var row = rows.iterator().next();
                    String modelColumn = row.getString(1);
                    if (!row.getBoolean(0) || modelColumn == null) {
                        return Uni.createFrom().item(Map.<String, String>of());
                    }
                    return client.query("SELECT md.vector_number FROM " + quoteIdent(schema) + ".ai_config ac"
                                    + " JOIN public.models_details md ON md." + quoteIdent(modelColumn) + " = ac.embedding_model"
                                    + " WHERE md.vector_number IS NOT NULL LIMIT 1").execute()
                            .map(found -> found.iterator().hasNext()
                                    ? Map.of("embedding_dimensions", String.valueOf(found.iterator().next().getValue(0)))
                                    : Map.<String, String>of());
                });
    }

    /**
     * Refreshes every materialized view of the schema: {@code CONCURRENTLY} (readers are not blocked) when the
     * view has a unique index and has been populated, which PostgreSQL requires; plainly otherwise. Returns what
     * it did, for the record.
     */
    public Uni<String> refreshMaterializedViews(SqlConnection conn, String schema) {
        return conn.preparedQuery("SELECT m.matviewname, m.ispopulated AND EXISTS (SELECT 1 FROM pg_index i"
                        + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = m.schemaname AND c.relname = m.matviewname AND i.indisunique AND i.indisvalid"
                        + " AND i.indpred IS NULL AND i.indexprs IS NULL)"
                        + " FROM pg_matviews m WHERE m.schemaname = $1 ORDER BY m.matviewname")
                .execute(Tuple.of(schema))
                .flatMap(rows -> {
                    List<String> done = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (var row : rows) {
                        String view = row.getString(0);
                        boolean concurrently = row.getBoolean(1);
                        chain = chain.flatMap(x -> conn.query("REFRESH MATERIALIZED VIEW "
                                        + (concurrently ? "CONCURRENTLY " : "") + quoteIdent(schema) + "." + quoteIdent(view))
                                .execute().invoke(() -> done.add((concurrently ? "concurrently " : "plain ") + view))
                                .replaceWithVoid());
                    }
                    return chain.map(x -> done.isEmpty() ? "no materialized views" : "refreshed " + String.join(", ", done));
                });
    }

    /**
     * {@code VACUUM (ANALYZE)} of every table of the schema, each sent as a statement of its own: VACUUM refuses to
     * run inside a transaction block, which a multi-statement string would be.
     */
    public Uni<String> vacuumAnalyze(SqlConnection conn, String schema) {
        return conn.preparedQuery("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY c.relname")
                .execute(Tuple.of(schema))
                .flatMap(rows -> {
                    List<String> tables = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (var row : rows) {
                        String table = row.getString(0);
                        chain = chain.flatMap(x -> conn.query("VACUUM (ANALYZE) " + quoteIdent(schema) + "." + quoteIdent(table))
                                .execute().invoke(() -> tables.add(table)).replaceWithVoid());
                    }
                    return chain.map(x -> "vacuumed and analyzed " + tables.size() + " tables");
                });
    }

    /** Which of several scripts failed ({@code index}, -1 for the closing {@code COMMIT}), and how. */
    public static final class ScriptFailure extends RuntimeException {
        private final int index;
        private final transient StatementFailure failure;

        ScriptFailure(int index, StatementFailure failure) {
            super(failure.getMessage(), failure);
            this.index = index;
            this.failure = failure;
        }

        public int index() {
            return index;
        }

        public StatementFailure failure() {
            return failure;
        }
    }

    /**
     * A statement failed; {@code offset} is added to PostgreSQL's position to make it relative to the script (where
     * the statement starts in it, or minus a prefix sent with it).
     */
    public static final class StatementFailure extends RuntimeException {
        private final transient PgException error;
        private final int offset;

        StatementFailure(PgException error, int offset) {
            super(error.getMessage(), error);
            this.error = error;
            this.offset = offset;
        }

        public PgException error() {
            return error;
        }

        public int offset() {
            return offset;
        }
    }
}
