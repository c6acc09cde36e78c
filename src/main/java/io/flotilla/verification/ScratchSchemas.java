package io.flotilla.verification;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.ledger.LedgerRepository.StepError;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.SchemaNames;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Throw-away schemas that show what migrations build, with no tenant and no ledger involved: the lint builds the
 * whole catalog in one, verification builds what a company's ledger says it has. A scratch schema lives on one
 * pooled connection that holds its advisory lock, and is dropped when the work ends, however it ends. One left
 * behind by a process that died has a free lock, and goes the next time any scratch schema is made on its server.
 * Verification builds on the server that holds the company's schema (what it compares must come from the same
 * PostgreSQL); the lint builds at home.
 */
@ApplicationScoped
public class ScratchSchemas {

    private final TenantDatabase database;
    private final TenantExecutor executor;
    private final AdvisoryLocks locks;
    private final SchemaMigrator migrator;

    public ScratchSchemas(TenantDatabase database, TenantExecutor executor, AdvisoryLocks locks, SchemaMigrator migrator) {
        this.database = database;
        this.executor = executor;
        this.locks = locks;
        this.migrator = migrator;
    }

    /** A scratch schema, open on the connection that holds its lock. */
    public final class Scratch {
        private final SqlConnection conn;
        private final String name;

        private Scratch(SqlConnection conn, String name) {
            this.conn = conn;
            this.name = name;
        }

        /** The schema's name, unquoted: what {@code ${schema}} renders to (quoted) and what catalog queries take. */
        public String name() {
            return name;
        }

        /** The connection to inspect the schema on: the one that built it. */
        public SqlConnection connection() {
            return conn;
        }

        /** Runs one rendered script through the migrator's own path, the ledger left out (see its applyUnrecorded). */
        public Uni<StepError> apply(MigrationScript script, String sql) {
            return migrator.applyUnrecorded(conn, name, script, sql);
        }
    }

    /** As {@link #withScratch(TenantDatabase, Function)} at home. */
    public <T> Uni<T> withScratch(Function<Scratch, Uni<T>> work) {
        return withScratch(database, work);
    }

    /**
     * Creates a fresh scratch schema on {@code server}, runs {@code work} on it, and drops it whether the work
     * succeeds or not.
     */
    public <T> Uni<T> withScratch(TenantDatabase server, Function<Scratch, Uni<T>> work) {
        String name = SchemaNames.newScratch();
        return sweep(server).onFailure().recoverWithItem(0).flatMap(swept -> server.withConnection(conn -> {
            AtomicBoolean created = new AtomicBoolean();
            // Locked before it exists, so a sweep on another replica never sees it unlocked.
            return locks.lockSchema(conn, name, Duration.ZERO)
                    .flatMap(locked -> quiet(conn)
                            .flatMap(ok -> executor.createSchema(conn, name)).invoke(() -> created.set(true))
                            .flatMap(ok -> work.apply(new Scratch(conn, name)))
                            .eventually(() -> drop(conn, name, created.get())
                                    .eventually(() -> locks.unlockSchema(conn, name).onFailure().recoverWithNull())
                                    .eventually(() -> conn.query("RESET client_min_messages").execute()
                                            .onFailure().recoverWithNull())));
        }));
    }

    /**
     * NOTICEs from a scratch build ("drop cascades to …", "… does not exist, skipping") say nothing anyone acts on,
     * and the client logs each one as a warning.
     */
    private static Uni<Void> quiet(SqlConnection conn) {
        return conn.query("SET client_min_messages TO warning").execute().replaceWithVoid();
    }

    private Uni<Void> drop(SqlConnection conn, String name, boolean created) {
        if (!created) {
            return Uni.createFrom().voidItem();
        }
        return executor.dropScratchSchema(conn, name).onFailure().recoverWithUni(e -> {
            // The next sweep drops it once this session (and its lock) is gone.
            Log.warnf("Could not drop scratch schema %s: %s", name, e.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /** Drops scratch schemas at home whose lock no session holds: their process stopped before it could drop them. */
    public Uni<Integer> sweep() {
        return sweep(database);
    }

    /**
     * As {@link #sweep()} on {@code server}. Only home has the companies table to rule out a company schema by; the
     * scratch name pattern is the guard elsewhere.
     */
    public Uni<Integer> sweep(TenantDatabase server) {
        String notACompany = server.home()
                ? " AND NOT EXISTS (SELECT 1 FROM public.companies c WHERE c.schema_name = n.nspname)" : "";
        return server.pool().preparedQuery("SELECT n.nspname::text FROM pg_namespace n WHERE n.nspname LIKE $1" + notACompany)
                .execute(Tuple.of(SchemaNames.SCRATCH_PREFIX.replace("_", "\\_") + "%"))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .map(row -> row.getString(0))
                .filter(SchemaNames::isScratch)
                .onItem().transformToUniAndConcatenate(schema -> dropIfAbandoned(server, schema))
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    private Uni<Integer> dropIfAbandoned(TenantDatabase server, String schema) {
        return server.withConnection(conn -> locks.lockSchema(conn, schema, Duration.ZERO)
                .flatMap(locked -> quiet(conn).flatMap(ok -> executor.dropScratchSchema(conn, schema))
                        .invoke(() -> Log.infof("Dropped scratch schema %s left by a stopped process", schema))
                        .replaceWith(1)
                        .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull())
                        .eventually(() -> conn.query("RESET client_min_messages").execute().onFailure().recoverWithNull()))
                .onFailure().recoverWithItem(0)); // in use by a live session, or gone already
    }
}
