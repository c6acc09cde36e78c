package io.flotilla.sql;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.lock.LockPolicy;
import io.flotilla.lock.LockRetries;
import io.flotilla.lock.LockTally;
import io.flotilla.lock.LockTimedOut;
import io.flotilla.sql.SqlScript.UnplacedExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Runs SQL in tenant schemas: it quotes identifiers, sets {@code search_path} and runs scripts as migrations need them (pipelined with the caller's ledger statement). Locks are {@link AdvisoryLocks}'.
 * Schema names arrive validated and are quoted anyway.
 */
@ApplicationScoped
public class TenantExecutor {

    /** A shared schema's name: lower-case, unquoted-safe, and no name PostgreSQL or Flotilla keeps for itself. */
    private static final Pattern SHARED_SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Where extensions go; {@code public} or an operator's shared schema, validated at start. */
    private final String extensionSchema;
    /** What follows the tenant's schema on every search path Flotilla sets: public, then the extension schema. */
    private final String sharedPath;

    /** How steps wait for their table locks: attempts, the blocker named, pauses, giving up or stepping aside. */
    private final LockRetries retries;

    public TenantExecutor(FlotillaConfig config, MeterRegistry metrics) {
        String schema = sharedSchema(config.catalog().extensionSchema());
        this.extensionSchema = schema;
        this.sharedPath = schema.equals("public") ? ", public" : ", public, " + quoteIdent(schema);
        this.retries = new LockRetries(metrics, config.locks() == null || config.locks().recordQuery(),
                TenantDatabase.HOME);
    }

    /** The configured extension schema if usable, else the start-up fails saying why. */
    static String sharedSchema(String schema) {
        if (schema == null || !SHARED_SCHEMA.matcher(schema).matches()
                || !schema.equals("public") && SchemaNames.isReserved(schema)) {
            throw new IllegalStateException("flotilla.catalog.extension-schema '" + schema + "' is not a usable shared"
                    + " schema: use public or a lower-case name (letters, digits, _) that is not pg_* or a scratch name");
        }
        return schema;
    }

    /** SQLSTATE of a statement that gave up waiting for a lock ({@code lock_timeout}). */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** The shared schema extensions go to ({@code flotilla.catalog.extension-schema}). */
    public String extensionSchema() {
        return extensionSchema;
    }

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
        if (!SchemaNames.isScratch(schema)) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a scratch schema: " + schema));
        }
        return client.query("DROP SCHEMA IF EXISTS " + quoteIdent(schema) + " CASCADE").execute().replaceWithVoid();
    }

    /** A name a tenant may have; {@link SchemaNames#isReserved} ones never reach a tenant's DDL. */
    private static String tenantSchema(String schema) {
        if (SchemaNames.isReserved(schema)) {
            throw new FlotillaException(ErrorCode.INVALID_SCHEMA_NAME, "schemaName '" + schema
                    + "' is reserved; it is never a tenant's schema");
        }
        return schema;
    }

    /**
     * Drops a tenant's schema with everything in it and creates it again, empty, in one transaction together with a
     * statement of the caller's ({@code inTransaction}: the ledger's record of it), pipelined as a migration step is:
     * both commit, or neither. Refuses names no tenant may have ({@code public}, {@code pg_*}, scratch schemas…),
     * whatever the companies table says: this is the one {@code DROP SCHEMA} Flotilla sends to a tenant schema.
     * The drop waits at most {@code lockWait} for sessions that hold locks on the schema's tables (a long query, an
     * open transaction), then fails with {@link ErrorCode#SCHEMA_BUSY}, nothing dropped, instead of hanging the call.
     */
    public <T> Uni<T> recreateSchema(SqlConnection conn, String schema, Duration lockWait, Supplier<Uni<T>> inTransaction) {
        String quoted = quoteIdent(tenantSchema(schema));
        return runAndCommit(conn, schema, "SET LOCAL lock_timeout = " + Math.max(1, lockWait.toMillis()) + ";\n"
                        + "DROP SCHEMA " + quoted + " CASCADE;\nCREATE SCHEMA " + quoted, inTransaction)
                .onFailure(e -> e instanceof StatementFailure f && LOCK_NOT_AVAILABLE.equals(f.error().getSqlState()))
                .transform(e -> new FlotillaException(ErrorCode.SCHEMA_BUSY, "Schema " + schema + " was not dropped: other"
                        + " sessions kept locks on its tables for " + lockWait.toSeconds() + " s; nothing changed",
                        Map.of("schemaName", schema)));
    }

    /**
     * Opens a transaction and runs a script in it with the tenant schema first on the search path, in one round
     * trip. Error positions are made relative to the script again.
     */
    private Uni<Void> beginAndRun(SqlConnection conn, String schema, String settings, String sql,
                                  List<UnplacedExtension> extensions) {
        String prefix = "BEGIN; SET LOCAL search_path TO " + quoteIdent(schema) + sharedPath + ";\n" + settings
                + createExtensions(extensions);
        // The timeouts are the tenant's script's: the caller's pipelined record (Flotilla's own tables, where steps of
        // parallel companies briefly wait for each other's commit) runs without them. The line break ends a trailing
        // line comment, the empty statement a last statement without its semicolon.
        String suffix = settings.isEmpty() ? "" : "\n;SET LOCAL lock_timeout TO DEFAULT; SET LOCAL statement_timeout TO DEFAULT";
        return conn.query(prefix + sql + suffix).execute()
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
    public <T> Uni<T> runAndCommit(SqlConnection conn, String schema, String sql, Supplier<Uni<T>> inTransaction) {
        return runAndCommit(conn, schema, sql, List.of(), inTransaction);
    }

    /**
     * {@link #runAndCommit(SqlConnection, String, String, Supplier)} for a migration's script, which first creates
     * the {@code extensions} it would otherwise put into the tenant's schema (see {@link #createExtensions}), in the
     * same transaction and round trip.
     */
    public <T> Uni<T> runAndCommit(SqlConnection conn, String schema, String sql, List<UnplacedExtension> extensions,
                                   Supplier<Uni<T>> inTransaction) {
        return runAndCommit(conn, schema, sql, extensions, LockPolicy.UNBOUNDED, null, inTransaction);
    }

    /**
     * {@link #runAndCommit(SqlConnection, String, String, List, Supplier)} in attempts under {@code policy}: each
     * attempt's {@code SET LOCAL lock_timeout} (and {@code statement_timeout}) travels in the script's own string, so
     * a step that meets no contended lock costs what it did without them. An attempt that times out waiting for a
     * lock has rolled back whole (script and record), so running it again is safe; see {@link #retrying}.
     * {@code inTransaction} is asked again for every attempt, after {@code tally} counted it.
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> runAndCommit(SqlConnection conn, String schema, String sql, List<UnplacedExtension> extensions,
                                   LockPolicy policy, LockTally tally, Supplier<Uni<T>> inTransaction) {
        LockTally t = tally == null ? new LockTally(null) : tally;
        // A transactional attempt leaves nothing behind, so this step may step aside and carry on later.
        return retries.retrying(conn, schema, policy, t, System.nanoTime(), t.attempts(), true, attempt -> Pipeline.pipelined(
                        beginAndRun(conn, schema, policy.localSettings(attempt), sql, extensions), inTransaction.get(),
                        commit(conn))
                .map(items -> (T) items.get(1)));
    }

    /**
     * Statements that create each extension a script creates without a {@code SCHEMA} clause in the shared extension
     * schema, before the script runs (whose own {@code CREATE EXTENSION IF NOT EXISTS} is then a no-op): run under a
     * company's search path, the script's statement would put the extension into the first company's schema, where
     * no other company sees its types, functions or operator classes. Each under {@link AdvisoryLocks#extensionLock},
     * so that companies migrating in parallel do not collide on {@code pg_extension}. An extension that exists
     * already, wherever it lives, is left where it is ({@code IF NOT EXISTS}).
     */
    String createExtensions(List<UnplacedExtension> extensions) {
        StringBuilder sql = new StringBuilder();
        for (UnplacedExtension e : extensions) {
            sql.append(AdvisoryLocks.extensionLock(e.name())).append(";\nCREATE EXTENSION IF NOT EXISTS ")
                    .append(quoteIdent(e.name())).append(" SCHEMA ").append(quoteIdent(extensionSchema))
                    .append(e.version() == null ? "" : " VERSION " + e.version())
                    .append(e.cascade() ? " CASCADE" : "").append(";\n");
        }
        return sql.toString();
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
        return runAllAndCommit(conn, schema, scripts, LockPolicy.UNBOUNDED, null);
    }

    /**
     * {@link #runAllAndCommit(SqlConnection, String, List)} in attempts under {@code policy}, as a migration step
     * runs (see {@link #retrying}): the attempt's {@code SET LOCAL}s go with the {@code BEGIN}, and a lock timeout in
     * any script rolls all of them back and tries again. Fails with {@link LockTimedOut} (its cause the
     * {@link ScriptFailure}) once the budget is spent.
     */
    public Uni<Void> runAllAndCommit(SqlConnection conn, String schema, List<String> scripts, LockPolicy policy,
                                     LockTally tally) {
        return retries.retrying(conn, schema, policy, tally, System.nanoTime(),
                attempt -> runAllOnce(conn, schema, scripts, policy.localSettings(attempt)));
    }

    private Uni<Void> runAllOnce(SqlConnection conn, String schema, List<String> scripts, String settings) {
        Uni<Void> chain = conn.query("BEGIN; SET LOCAL search_path TO " + quoteIdent(schema) + sharedPath + ";\n"
                        + settings).execute()
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

    /** {@link #runInTransaction(SqlConnection, String, String)} in attempts under {@code policy}, as a step runs. */
    public Uni<Void> runInTransaction(SqlConnection conn, String schema, String sql, LockPolicy policy,
                                      LockTally tally) {
        return runAndCommit(conn, schema, sql, List.of(), policy, tally, () -> Uni.createFrom().voidItem());
    }

    /**
     * Runs {@code statement} (one statement outside a transaction block, such as {@code REFRESH MATERIALIZED VIEW})
     * in attempts under {@code policy}: its session {@code SET}s pipelined with it, reset afterwards.
     */
    public Uni<Void> runStatementWithRetries(SqlConnection conn, String schema, String statement, LockPolicy policy,
                                             LockTally tally) {
        return retries.retrying(conn, schema, policy, tally, System.nanoTime(), attempt -> {
            String settings = policy.sessionSettings(attempt);
            Uni<Void> run = conn.query(statement).execute().replaceWithVoid();
            return settings.isEmpty() ? run : Pipeline.pipelined(conn.query(settings).execute(), run).replaceWithVoid();
        }).eventually(() -> policy.sessionSettings(1).isEmpty() ? Uni.createFrom().voidItem()
                : conn.query("RESET lock_timeout; RESET statement_timeout").execute().replaceWithVoid()
                        .onFailure().recoverWithNull());
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
    public <T> Uni<T> runWithoutTransaction(SqlConnection conn, String schema, String sql, Supplier<Uni<?>> before,
                                            Supplier<Uni<T>> after) {
        return runWithoutTransaction(conn, schema, sql, List.of(), before, after);
    }

    /**
     * {@link #runWithoutTransaction(SqlConnection, String, String, Supplier, Supplier)} for a migration's script: its
     * {@code extensions} are created first, in an implicit transaction of their own (see {@link #createExtensions}).
     */
    public <T> Uni<T> runWithoutTransaction(SqlConnection conn, String schema, String sql,
                                            List<UnplacedExtension> extensions, Supplier<Uni<?>> before,
                                            Supplier<Uni<T>> after) {
        return runWithoutTransaction(conn, schema, sql, extensions, LockPolicy.UNBOUNDED, null, before, after);
    }

    /**
     * {@link #runWithoutTransaction(SqlConnection, String, String, List, Supplier, Supplier)} with each statement in
     * attempts under {@code policy} (its budget for the whole step): the attempt's {@code SET lock_timeout} is sent
     * pipelined with the statement, no extra round trip. A {@code CREATE INDEX CONCURRENTLY} waits in attempts of the
     * policy's longest timeout ({@link LockPolicy#longestOnly}), and before its next attempt the INVALID index a
     * failed one left is dropped. Both timeouts are reset with the search path.
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> runWithoutTransaction(SqlConnection conn, String schema, String sql,
                                            List<UnplacedExtension> extensions, LockPolicy policy, LockTally tally,
                                            Supplier<Uni<?>> before, Supplier<Uni<T>> after) {
        long began = System.nanoTime();
        List<String> statements = SqlScript.split(sql);
        List<String> indexes = new ArrayList<>();
        statements.forEach(s -> indexes.addAll(SqlScript.concurrentIndexNames(s)));
        Uni<Void> setPath = conn.query("SET search_path TO " + quoteIdent(schema) + sharedPath).execute()
                .replaceWithVoid();
        Uni<List<String>> invalid = indexes.isEmpty() ? Uni.createFrom().item(List.of())
                : invalidIndexes(conn, schema, indexes);
        Uni<Void> chain = Pipeline.pipelined(before.get(), setPath, invalid)
                .flatMap(items -> dropIndexes(conn, schema, (List<String>) items.get(2)));
        if (!extensions.isEmpty()) {
            // One string, one implicit transaction: the extension lock is held until it commits.
            String create = createExtensions(extensions);
            chain = chain.flatMap(ignored -> conn.query(create).execute()
                    .onFailure(PgException.class).transform(e -> new StatementFailure((PgException) e, 0))
                    .replaceWithVoid());
        }
        int from = 0;
        for (String statement : statements) {
            int offset = Math.max(0, sql.indexOf(statement, from));
            from = offset + statement.length();
            List<String> built = SqlScript.concurrentIndexNames(statement);
            LockPolicy statementPolicy = built.isEmpty() ? policy : policy.longestOnly();
            chain = chain.flatMap(ignored -> retries.retrying(conn, schema, statementPolicy, tally, began, attempt -> {
                String settings = statementPolicy.sessionSettings(attempt);
                Uni<Void> clean = attempt == 1 || built.isEmpty() ? Uni.createFrom().voidItem()
                        : invalidIndexes(conn, schema, built).flatMap(left -> dropIndexes(conn, schema, left));
                Uni<Void> run = conn.query(statement).execute()
                        .onFailure(PgException.class).transform(e -> new StatementFailure((PgException) e, offset))
                        .replaceWithVoid();
                return clean.flatMap(x -> settings.isEmpty() ? run
                        : Pipeline.pipelined(conn.query(settings).execute(), run).replaceWithVoid());
            }));
        }
        // The session goes back to the pool: leave its search_path as we found it.
        return chain.onFailure().call(() -> resetSearchPath(conn))
                .flatMap(ok -> Pipeline.pipelined(after.get(), resetSearchPath(conn))).map(items -> (T) items.get(0));
    }

    /**
     * Best effort, as before any pooled session is reused: a failure here is the connection's, seen by its next user.
     * The timeouts a non-transactional step may have set go back to the server's too.
     */
    private static Uni<Void> resetSearchPath(SqlConnection conn) {
        return conn.query("RESET search_path; RESET lock_timeout; RESET statement_timeout").execute().replaceWithVoid()
                .onFailure().recoverWithNull();
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
     * The PostgreSQL error behind a failure of this executor's (a {@link StatementFailure}) or of a plain query;
     * null when the failure is not PostgreSQL's (a broken connection, say).
     */
    public static PgException pgError(Throwable e) {
        if (e instanceof LockTimedOut l) {
            return pgError(l.getCause());
        }
        if (e instanceof ScriptFailure f) {
            return f.failure().error();
        }
        return e instanceof StatementFailure sf ? sf.error() : e instanceof PgException pg ? pg : null;
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
