package io.flotilla.move;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Version;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.server.Server;
import io.flotilla.server.ServerCredentials;
import io.flotilla.server.ServerPools;
import io.flotilla.server.ServerRepository;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.tenant.Company;
import io.flotilla.verification.SchemaInspector;
import io.flotilla.verification.SchemaSnapshot;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one move to its end in this process: preparing (the source's schema locked against migrations, the structure
 * built on the target from the catalog and compared with the source's), copying and catching-up (logical replication),
 * cutting-over (writes blocked on the source, the target level with it, sequences, materialized views, row counts,
 * the source schema renamed, the company's server flipped at home), then done; or failed / cancelled with the target's
 * schema dropped and the source as it was. Whatever the end, the publication, subscription and slot are dropped.
 */
@ApplicationScoped
public class MoveJob {

    /** Rows a copy reads and writes per round trip. */
    private static final int COPY_BATCH = 1000;

    private final MoveRepository moves;
    private final ServerPools pools;
    private final ServerRepository servers;
    private final ServerCredentials credentials;
    private final SchemaMigrator migrator;
    private final CatalogService catalog;
    private final SchemaInspector inspector;
    private final AdvisoryLocks locks;
    private final FlotillaConfig flotilla;
    private final MoveConfig config;
    private final String owner = "flotilla-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();

    public MoveJob(MoveRepository moves, ServerPools pools, ServerRepository servers, ServerCredentials credentials,
                   SchemaMigrator migrator, CatalogService catalog, SchemaInspector inspector, AdvisoryLocks locks,
                   FlotillaConfig flotilla, MoveConfig config) {
        this.moves = moves;
        this.pools = pools;
        this.servers = servers;
        this.credentials = credentials;
        this.migrator = migrator;
        this.catalog = catalog;
        this.inspector = inspector;
        this.locks = locks;
        this.flotilla = flotilla;
        this.config = config;
    }

    /** Which process runs a move: recorded with it, so that another can tell an orphan. */
    String owner() {
        return owner;
    }

    /** A move stopped on purpose (cancel asked for): rolled back, recorded cancelled rather than failed. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** What one run learns about the company's relations on the source. */
    private static final class Run {
        final Move move;
        final Company company;
        final String schema;
        TenantDatabase source;
        TenantDatabase target;
        SqlConnection guard;
        final List<String> tables = new ArrayList<>();
        final List<String> unidentified = new ArrayList<>();
        final List<String> sequences = new ArrayList<>();
        final List<String> views = new ArrayList<>();
        boolean targetSchemaMade;
        boolean replicating;
        boolean inPause;
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        String renamedTo;

        Run(Move move, Company company) {
            this.move = move;
            this.company = company;
            this.schema = company.schemaName();
        }
    }

    /** Starts the move's job; it reports through its row only. */
    void launch(Move move, Company company) {
        Run run = new Run(move, company);
        Uni.createFrom().voidItem().emitOn(Infrastructure.getDefaultExecutor())
                .flatMap(x -> execute(run))
                .subscribe().with(done -> Log.infof("Move %s done: %s on %s, pause %d ms", move.id(),
                                company.schemaName(), move.target(), done),
                        e -> Log.warnf("Move %s ended: %s", move.id(), e.getMessage()));
    }

    private Uni<Long> execute(Run run) {
        Move move = run.move;
        return Uni.combine().all().unis(pools.forWork(move.source()), pools.forWork(move.target())).asTuple()
                .flatMap(dbs -> {
                    run.source = dbs.getItem1();
                    run.target = dbs.getItem2();
                    return run.source.pool().getConnection();
                })
                .flatMap(conn -> {
                    run.guard = conn;
                    // Held for the whole move: a migration of this schema waits for it, and none starts meanwhile.
                    return locks.lockSchema(conn, run.schema, flotilla.execution().lockWait())
                            .flatMap(exists -> prepare(run))
                            .flatMap(x -> move.method() == MoveMethod.LOGICAL ? replicate(run) : copy(run))
                            .onItemOrFailure().call((pause, failure) -> finish(run, pause, failure))
                            .eventually(() -> locks.unlockSchema(conn, run.schema).onFailure().recoverWithNull()
                                    .eventually(conn::close));
                });
    }

    // ---- preparing -------------------------------------------------------------------------------------------------

    private Uni<Void> prepare(Run run) {
        return run.guard.preparedQuery(ReplicationSql.RELATIONS).execute(Tuple.of(run.schema))
                .invoke(rows -> {
                    for (Row r : rows) {
                        String name = r.getString(0);
                        switch (r.getString(1)) {
                            case "r", "p" -> {
                                run.tables.add(name);
                                if (!r.getBoolean(2)) {
                                    run.unidentified.add(name);
                                }
                            }
                            case "S" -> run.sequences.add(name);
                            case "m" -> run.views.add(name);
                            default -> { }
                        }
                    }
                })
                .flatMap(x -> appliedVersions(run))
                .flatMap(latest -> run.target.pool().query("CREATE SCHEMA " + ReplicationSql.q(run.schema)).execute()
                        .invoke(() -> run.targetSchemaMade = true)
                        .flatMap(x -> migrator.migrate(new MoveTenant(run.company, run.move.target()), catalog.catalog(),
                                new Target(Direction.UP, latest), false, UUID.randomUUID())))
                .flatMap(result -> {
                    if (!result.succeeded()) {
                        return Uni.createFrom().failure(new IllegalStateException("building the structure on "
                                + run.move.target() + " failed at version " + result.failure().version() + ": "
                                + result.failure().error()));
                    }
                    return Uni.combine().all().unis(inspector.inspect(run.guard, run.schema),
                            inspector.inspect(run.target.pool(), run.schema)).asTuple();
                })
                .flatMap(shapes -> {
                    String difference = difference(shapes.getItem1(), shapes.getItem2());
                    if (difference != null) {
                        return Uni.createFrom().failure(new IllegalStateException("the structure built on "
                                + run.move.target() + " differs from the source's: " + difference));
                    }
                    // Migrations may insert rows (reference data): the target starts empty, the rows come from the source.
                    return run.tables.isEmpty() ? Uni.createFrom().voidItem()
                            : run.target.pool().query(ReplicationSql.truncate(run.schema, run.tables)).execute()
                            .replaceWithVoid();
                })
                .flatMap(x -> checkCancel(run));
    }

    /** The newest version the source's own ledger has applied; the target is built up to it. */
    private Uni<Version> appliedVersions(Run run) {
        return run.guard.preparedQuery("SELECT version FROM public.migration_state WHERE company_id = $1 AND applied")
                .execute(Tuple.of(run.company.id()))
                .map(rows -> {
                    Version latest = null;
                    for (Row r : rows) {
                        Version v = Version.parse(r.getString(0));
                        latest = latest == null || v.compareTo(latest) > 0 ? v : latest;
                    }
                    if (latest == null) {
                        throw new IllegalStateException("the source's ledger has no applied version of the company");
                    }
                    return latest;
                });
    }

    /** Null when the two schemas have the same tables (columns, row security, policies, indexes) and views. */
    static String difference(SchemaSnapshot source, SchemaSnapshot target) {
        if (!source.materializedViews().equals(target.materializedViews())) {
            return "materialized views " + source.materializedViews() + " against " + target.materializedViews();
        }
        Map<String, Object> s = new TreeMap<>();
        source.tables().forEach(t -> s.put(t.name(), t));
        Map<String, Object> t = new TreeMap<>();
        target.tables().forEach(x -> t.put(x.name(), x));
        if (!s.keySet().equals(t.keySet())) {
            return "tables " + s.keySet() + " against " + t.keySet();
        }
        for (String name : s.keySet()) {
            if (!s.get(name).equals(t.get(name))) {
                return "table " + name + ": " + s.get(name) + " against " + t.get(name);
            }
        }
        return null;
    }

    // ---- logical replication ---------------------------------------------------------------------------------------

    private Uni<Long> replicate(Run run) {
        Move move = run.move;
        String name = move.replicationName();
        return moves.replicaFull(move.id(), run.unidentified)
                .flatMap(x -> each(run.unidentified, t -> run.guard.query(
                        ReplicationSql.replicaIdentity(run.schema, t, true)).execute()))
                .flatMap(x -> run.guard.query(ReplicationSql.createPublication(name, run.schema, run.tables)).execute())
                .flatMap(x -> conninfo(move.source()))
                .flatMap(conninfo -> run.target.withConnection(conn -> conn
                        // The statement carries the source's password: never into the target's log.
                        .query("SET log_statement = 'none'").execute()
                        .flatMap(y -> conn.query("SET log_min_error_statement = 'panic'").execute())
                        .flatMap(y -> conn.query(ReplicationSql.createSubscription(name, conninfo)).execute())
                        .invoke(() -> run.replicating = true)
                        .eventually(() -> conn.query("RESET ALL").execute().onFailure().recoverWithNull())))
                .flatMap(x -> moves.phase(move.id(), MovePhase.COPYING))
                .flatMap(x -> awaitCopied(run, System.nanoTime() + config.copyTimeout().toNanos()))
                .flatMap(x -> moves.phase(move.id(), MovePhase.CATCHING_UP))
                .flatMap(x -> awaitCaughtUp(run, System.nanoTime() + config.copyTimeout().toNanos()))
                .flatMap(x -> moves.phase(move.id(), MovePhase.CUTTING_OVER))
                .flatMap(x -> cutOver(run));
    }

    /** Polls the subscription's tables until each has its initial copy, reporting rows and bytes written there. */
    private Uni<Void> awaitCopied(Run run, long deadline) {
        String name = run.move.replicationName();
        return Uni.combine().all().unis(
                        run.target.pool().preparedQuery(ReplicationSql.UNSYNCED).execute(Tuple.of(name)),
                        run.target.pool().preparedQuery(ReplicationSql.TARGET_PROGRESS).execute(Tuple.of(run.schema)))
                .asTuple()
                .flatMap(read -> {
                    Row sync = MoveRepository.first(read.getItem1());
                    Row progress = MoveRepository.first(read.getItem2());
                    run.rows.set(progress.getLong(0));
                    run.bytes.set(progress.getLong(1));
                    return moves.progress(run.move.id(), run.rows.get(), run.bytes.get(), null).flatMap(cancel -> {
                        if (cancel) {
                            return Uni.createFrom().failure(new Cancelled());
                        }
                        if (sync.getLong(0) == 0 && sync.getLong(1) == run.tables.size()) {
                            return Uni.createFrom().voidItem();
                        }
                        if (System.nanoTime() > deadline) {
                            return Uni.createFrom().failure(new IllegalStateException("the initial copy did not end"
                                    + " within " + config.copyTimeout()));
                        }
                        return later().flatMap(x -> awaitCopied(run, deadline));
                    });
                });
    }

    /** Polls the slot until the target is within {@code cutOverLag} bytes of the source's WAL. */
    private Uni<Void> awaitCaughtUp(Run run, long deadline) {
        return run.source.pool().preparedQuery(ReplicationSql.LAG).execute(Tuple.of(run.move.replicationName()))
                .flatMap(rows -> {
                    Long lag = rows.size() == 0 ? null : MoveRepository.first(rows).getLong(1);
                    return moves.progress(run.move.id(), run.rows.get(), run.bytes.get(), lag).flatMap(cancel -> {
                        if (cancel) {
                            return Uni.createFrom().failure(new Cancelled());
                        }
                        if (lag != null && lag <= config.cutOverLag()) {
                            return Uni.createFrom().voidItem();
                        }
                        if (System.nanoTime() > deadline) {
                            return Uni.createFrom().failure(new IllegalStateException("the target did not catch up"
                                    + " within " + config.copyTimeout()));
                        }
                        return later().flatMap(x -> awaitCaughtUp(run, deadline));
                    });
                });
    }

    /**
     * The pause: writes blocked on the source's tables (reads go on), the target confirms the source's WAL position,
     * then the common end ({@link #complete}).
     */
    private Uni<Long> cutOver(Run run) {
        long began = System.nanoTime();
        return pause(run)
                .flatMap(x -> run.guard.query(ReplicationSql.CURRENT_LSN).execute())
                .flatMap(rows -> awaitConfirmed(run, MoveRepository.first(rows).getString(0),
                        System.nanoTime() + config.catchUpTimeout().toNanos()))
                .flatMap(x -> {
                    // Counted on the target as it stands at the end, for the record (the copy has no exact figure).
                    return complete(run, began);
                });
    }

    private Uni<Void> awaitConfirmed(Run run, String lsn, long deadline) {
        return run.source.pool().preparedQuery(ReplicationSql.CONFIRMED_PAST)
                .execute(Tuple.of(run.move.replicationName(), lsn))
                .flatMap(rows -> {
                    if (rows.size() > 0 && Boolean.TRUE.equals(MoveRepository.first(rows).getBoolean(0))) {
                        return Uni.createFrom().voidItem();
                    }
                    if (System.nanoTime() > deadline) {
                        return Uni.createFrom().failure(new IllegalStateException("the target did not confirm the"
                                + " source's WAL position " + lsn + " within " + config.catchUpTimeout()));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(5))
                            .flatMap(x -> awaitConfirmed(run, lsn, deadline));
                });
    }

    // ---- copy --------------------------------------------------------------------------------------------------------

    /** Without logical WAL: the whole copy inside the pause, in one transaction on the target. */
    private Uni<Long> copy(Run run) {
        return moves.phase(run.move.id(), MovePhase.CUTTING_OVER).flatMap(x -> {
            long began = System.nanoTime();
            return pause(run)
                    .flatMap(y -> Uni.combine().all().unis(
                            run.guard.preparedQuery(ReplicationSql.FK_EDGES).execute(Tuple.of(run.schema)),
                            run.guard.preparedQuery(ReplicationSql.INSERTABLE_COLUMNS).execute(Tuple.of(run.schema)))
                            .asTuple())
                    .flatMap(read -> {
                        List<String> order = parentsFirst(run.tables, read.getItem1());
                        Map<String, List<String>> columns = new LinkedHashMap<>();
                        read.getItem2().forEach(r -> columns.put(r.getString(0), List.of(r.getArrayOfStrings(1))));
                        return run.target.withTransaction(target -> each(order, table -> copyTable(run, target, table,
                                columns.getOrDefault(table, List.of()))))
                                .flatMap(z -> moves.progress(run.move.id(), run.rows.get(), run.bytes.get(), null));
                    })
                    .flatMap(z -> complete(run, began));
        });
    }

    /** One table's rows, read through a cursor in the source's locked transaction, written in batches. */
    private Uni<Void> copyTable(Run run, SqlConnection target, String table, List<String> columns) {
        String write = ReplicationSql.writeRows(run.schema, table, columns);
        return run.guard.prepare(ReplicationSql.readRows(run.schema, table))
                .flatMap(statement -> {
                    var cursor = statement.cursor();
                    return copyBatches(run, cursor, target, write)
                            .eventually(() -> cursor.close().onFailure().recoverWithNull()
                                    .eventually(() -> statement.close().onFailure().recoverWithNull()));
                });
    }

    private Uni<Void> copyBatches(Run run, io.vertx.mutiny.sqlclient.Cursor cursor, SqlConnection target, String write) {
        return cursor.read(COPY_BATCH).flatMap(rows -> {
            List<String> batch = new ArrayList<>(rows.size());
            for (Row r : rows) {
                String text = r.getString(0);
                batch.add(text);
                run.bytes.addAndGet(text.length());
            }
            run.rows.addAndGet(batch.size());
            Uni<Void> written = batch.isEmpty() ? Uni.createFrom().voidItem()
                    : target.preparedQuery(write).execute(Tuple.of(batch.toArray(String[]::new))).replaceWithVoid();
            return written.flatMap(x -> cursor.hasMore() ? copyBatches(run, cursor, target, write)
                    : Uni.createFrom().voidItem());
        });
    }

    /** Referenced tables before the tables that reference them (cycles: left in name order). */
    static List<String> parentsFirst(List<String> tables, RowSet<Row> edges) {
        Map<String, List<String>> parents = new TreeMap<>();
        for (Row e : edges) {
            parents.computeIfAbsent(e.getString(0), k -> new ArrayList<>()).add(e.getString(1));
        }
        List<String> ordered = new ArrayList<>();
        for (String t : tables) {
            visit(t, parents, ordered, new ArrayList<>());
        }
        return ordered;
    }

    private static void visit(String table, Map<String, List<String>> parents, List<String> ordered, List<String> path) {
        if (ordered.contains(table) || path.contains(table)) {
            return;
        }
        path.add(table);
        for (String p : parents.getOrDefault(table, List.of())) {
            visit(p, parents, ordered, path);
        }
        ordered.add(table);
    }

    // ---- the common end of both methods ------------------------------------------------------------------------------

    /** Opens the pause: a transaction on the guard connection holding every table against writes. */
    private Uni<Void> pause(Run run) {
        return run.guard.query("BEGIN").execute()
                .invoke(() -> run.inPause = true)
                .flatMap(x -> run.guard.query("SET LOCAL lock_timeout = " + config.lockTimeout().toMillis()).execute())
                .flatMap(x -> run.tables.isEmpty() ? Uni.createFrom().voidItem()
                        : run.guard.query(ReplicationSql.lockForWrites(run.schema, run.tables)).execute().replaceWithVoid());
    }

    /**
     * Inside the pause: sequences set on the target, materialized views refreshed there, every table's rows counted on
     * both sides, the source schema renamed and committed, the company's server flipped at home. Emits the pause.
     */
    private Uni<Long> complete(Run run, long began) {
        String renamed = renamedName(run.schema, run.move.id());
        return setSequences(run)
                .flatMap(x -> each(run.views, v -> run.target.pool().query(ReplicationSql.refresh(run.schema, v)).execute()))
                .flatMap(x -> compareCounts(run))
                .flatMap(x -> run.guard.query(ReplicationSql.renameSchema(run.schema, renamed)).execute())
                .flatMap(x -> run.guard.query("COMMIT").execute())
                .invoke(() -> {
                    run.inPause = false;
                    run.renamedTo = renamed;
                })
                .flatMap(x -> {
                    long pauseMs = Duration.ofNanos(System.nanoTime() - began).toMillis();
                    return moves.flip(run.move, run.rows.get(), run.bytes.get(), pauseMs, renamed)
                            .map(y -> pauseMs)
                            // The home database refused the flip: the company stays on the source, renamed back.
                            .onFailure().call(e -> run.guard.query(ReplicationSql.renameSchema(renamed, run.schema))
                                    .execute().invoke(() -> run.renamedTo = null).onFailure().recoverWithNull());
                });
    }

    /** The source schema's name after the move: {@code <schema>_moved_<8 hex of the move>}, within 63 bytes. */
    static String renamedName(String schema, UUID moveId) {
        String suffix = "_moved_" + moveId.toString().substring(0, 8);
        return (schema.length() + suffix.length() > 63 ? schema.substring(0, 63 - suffix.length()) : schema) + suffix;
    }

    private Uni<Void> setSequences(Run run) {
        if (run.sequences.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return run.guard.query(ReplicationSql.sequences(run.schema, run.sequences)).execute()
                .flatMap(rows -> {
                    List<Tuple> values = new ArrayList<>();
                    for (Row r : rows) {
                        values.add(Tuple.of(ReplicationSql.qualified(run.schema, r.getString(0)), r.getLong(1),
                                r.getBoolean(2)));
                    }
                    return run.target.pool().preparedQuery(ReplicationSql.SET_SEQUENCE).executeBatch(values);
                })
                .replaceWithVoid();
    }

    private Uni<Void> compareCounts(Run run) {
        if (run.tables.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String sql = ReplicationSql.counts(run.schema, run.tables);
        return Uni.combine().all().unis(run.guard.query(sql).execute(), run.target.pool().query(sql).execute()).asTuple()
                .map(both -> {
                    Map<String, Long> source = counts(both.getItem1());
                    Map<String, Long> target = counts(both.getItem2());
                    if (!source.equals(target)) {
                        throw new IllegalStateException("row counts differ after the copy: source " + source
                                + ", target " + target);
                    }
                    run.rows.set(source.values().stream().mapToLong(Long::longValue).sum());
                    return null;
                });
    }

    private static Map<String, Long> counts(RowSet<Row> rows) {
        Map<String, Long> counts = new TreeMap<>();
        rows.forEach(r -> counts.put(r.getString(0), r.getLong(1)));
        return counts;
    }

    // ---- cleanup -------------------------------------------------------------------------------------------------

    /**
     * Whatever the end: the pause released, replication objects dropped, replica identities restored; a move that did
     * not finish leaves no schema or state on the target. Then the end is recorded (failed or cancelled).
     */
    private Uni<Void> finish(Run run, Long pause, Throwable failure) {
        boolean done = failure == null;
        Uni<Void> chain = run.inPause
                ? run.guard.query("ROLLBACK").execute().invoke(() -> run.inPause = false).replaceWithVoid()
                        .onFailure().recoverWithNull()
                : Uni.createFrom().voidItem();
        String name = run.move.replicationName();
        chain = chain.flatMap(x -> dropReplication(run.target, run.source, name, run.move.method() == MoveMethod.LOGICAL))
                .flatMap(x -> each(run.unidentified, t -> run.guard.query(ReplicationSql.replicaIdentity(
                        run.renamedTo != null ? run.renamedTo : run.schema, t, false)).execute())
                        .onFailure().recoverWithNull());
        if (done) {
            // The source's own ledger keeps its history of the schema, but no longer states it: the target's does.
            chain = chain.flatMap(x -> run.source.home() ? Uni.createFrom().voidItem() : forgetState(run.source,
                    run.company.id()));
        } else {
            chain = chain.flatMap(x -> !run.targetSchemaMade ? Uni.createFrom().voidItem()
                    : run.target.pool().query(ReplicationSql.dropSchema(run.schema)).execute().replaceWithVoid()
                    .flatMap(y -> run.target.home() ? Uni.createFrom().voidItem()
                            : forgetState(run.target, run.company.id())));
            boolean cancelled = failure instanceof Cancelled;
            String error = cancelled ? null : String.valueOf(failure.getMessage());
            chain = chain.onFailure().invoke(e -> Log.warnf("Move %s: cleanup incomplete: %s", run.move.id(), e.getMessage()))
                    .onFailure().recoverWithNull()
                    .flatMap(x -> moves.end(run.move.id(), cancelled ? MovePhase.CANCELLED : MovePhase.FAILED, error));
        }
        return chain.onFailure().invoke(e -> Log.warnf("Move %s: cleanup incomplete: %s", run.move.id(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * The subscription (on the target), its slot and the publication (on the source), each if it exists; used after
     * every move and by the sweep for orphans. An active slot is waited for briefly (its walsender ends with the
     * subscription).
     */
    Uni<Void> dropReplication(TenantDatabase target, TenantDatabase source, String name, boolean logical) {
        if (!logical) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> subscription = target == null ? Uni.createFrom().voidItem()
                : target.pool().preparedQuery(ReplicationSql.SUBSCRIPTION_EXISTS).execute(Tuple.of(name))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                        : each(ReplicationSql.dropSubscription(name), sql -> target.pool().query(sql).execute()))
                .onFailure().invoke(e -> Log.warnf("Subscription %s not dropped: %s", name, e.getMessage()))
                .onFailure().recoverWithNull();
        return subscription
                .flatMap(x -> dropSlot(source, name, System.nanoTime() + Duration.ofSeconds(30).toNanos()))
                .flatMap(x -> source.pool().query(ReplicationSql.dropPublication(name)).execute().replaceWithVoid());
    }

    private Uni<Void> dropSlot(TenantDatabase source, String name, long deadline) {
        return source.pool().preparedQuery(ReplicationSql.SLOT_ACTIVE).execute(Tuple.of(name))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    if (!MoveRepository.first(rows).getBoolean(0) || System.nanoTime() > deadline) {
                        return source.pool().preparedQuery(ReplicationSql.DROP_SLOT).execute(Tuple.of(name))
                                .replaceWithVoid();
                    }
                    return later().flatMap(x -> dropSlot(source, name, deadline));
                });
    }

    private static Uni<Void> forgetState(TenantDatabase db, UUID companyId) {
        return db.pool().preparedQuery("DELETE FROM public.migration_state WHERE company_id = $1").execute(Tuple.of(companyId))
                .flatMap(x -> db.pool().preparedQuery("DELETE FROM public.repeatable_state WHERE company_id = $1")
                        .execute(Tuple.of(companyId)))
                .replaceWithVoid();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    /** The subscription's connection string: the source as registered, with its password read now. */
    private Uni<String> conninfo(String sourceName) {
        return servers.find(sourceName).flatMap(server -> Uni.createFrom().item(() -> {
            Server.Connection c = server.connection();
            return ReplicationSql.conninfo(c.host(), c.port(), c.database(), c.user(), credentials.password(c),
                    c.tlsMode().value());
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    private Uni<Void> checkCancel(Run run) {
        return moves.cancelRequested(run.move.id()).flatMap(cancel -> cancel ? Uni.createFrom().failure(new Cancelled())
                : Uni.createFrom().voidItem());
    }

    private Uni<Void> later() {
        return Uni.createFrom().voidItem().onItem().delayIt().by(config.pollInterval());
    }

    /** Runs {@code work} for each item, one after another. */
    static <T> Uni<Void> each(List<T> items, java.util.function.Function<T, Uni<?>> work) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (T item : items) {
            chain = chain.flatMap(x -> work.apply(item).replaceWithVoid());
        }
        return chain;
    }
}
