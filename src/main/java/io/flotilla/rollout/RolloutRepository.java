package io.flotilla.rollout;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.Target;
import io.flotilla.sql.Connections;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.RolloutHolds;
import io.flotilla.window.MaintenanceWindow;
import io.flotilla.window.WindowRules;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Queries on {@code rollouts} and {@code rollout_targets}. */
@ApplicationScoped
public class RolloutRepository implements RolloutHolds {

    private final Pool pool;

    public RolloutRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores a rollout and its targets with work in one transaction. Targets are "active": the partial unique
     * index lets a company be active in one rollout only, so two overlapping rollouts can't both be created, even
     * from two replicas at the same instant. Companies already up to date are only counted ({@code up_to_date},
     * reported as skipped targets): 10,000 rows written for companies a rollout never touches made a rollout with
     * nothing to do take most of a second.
     */
    public Uni<UUID> insert(RolloutSpec spec, RolloutPlan plan, JsonObject request) {
        Planned p = new Planned(spec, plan);
        return pool.withTransaction(conn -> Connections.quiet(conn).preparedQuery(INSERT)
                        .execute(columns(spec, p.state(), p.stored(), p.total(), plan.waves(), request,
                                plan.upToDate().size(), null))
                        .map(rows -> rows.iterator().next().getUUID(0))
                        .call(id -> p.insertTargets(conn, id)))
                .onFailure(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState()))
                .recoverWithUni(e -> conflict(p.companyIds));
    }

    /**
     * Stores a rollout to start at {@code startAt}: {@code scheduled}, with no targets ({@code plannedTargets}, what
     * a dry run found now, as its total until it starts); {@link #activate} stores its plan when it starts.
     */
    public Uni<UUID> insertScheduled(RolloutSpec spec, JsonObject request, OffsetDateTime startAt, int plannedTargets) {
        return pool.preparedQuery(INSERT).execute(columns(spec, RolloutState.SCHEDULED.value(), spec.strategy(), plannedTargets,
                        0, request, 0, startAt))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    /**
     * A scheduled rollout's start: its plan stored as {@link #insert} stores one, and its state {@code pending} (or
     * {@code succeeded}: nothing to do), in one transaction, only if it is still {@code scheduled}. False when it was
     * not (cancelled meanwhile, or started by another firing): nothing changed.
     */
    public Uni<Boolean> activate(UUID id, RolloutSpec spec, RolloutPlan plan) {
        Planned p = new Planned(spec, plan);
        return pool.withTransaction(conn -> Connections.quiet(conn).preparedQuery("UPDATE public.rollouts SET state = $2::text,"
                                + " canary_count = $3, total_targets = $4, waves = $5, up_to_date = $6, updated_at = now(),"
                                + " finished_at = CASE WHEN $2::text = 'succeeded' THEN now() END"
                                + " WHERE id = $1 AND state = 'scheduled'")
                        .execute(Tuple.of(id, p.state(), p.stored().canary(), p.total(), plan.waves(),
                                plan.upToDate().size()))
                        .flatMap(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                                : p.insertTargets(conn, id).replaceWith(true)))
                .onFailure(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState()))
                .recoverWithUni(e -> conflict(p.companyIds).replaceWith(false));
    }

    /** A scheduled rollout's stored request, or null when it is not scheduled (any more). */
    public Uni<JsonObject> scheduledRequest(UUID id) {
        return pool.preparedQuery("SELECT request FROM public.rollouts WHERE id = $1 AND state = 'scheduled'")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? (JsonObject) rows.iterator().next().getValue(0) : null);
    }

    /** A scheduled rollout that could not start: failed, with why. Nothing when it is no longer scheduled. */
    public Uni<Void> failScheduled(UUID id, String error) {
        return pool.preparedQuery("UPDATE public.rollouts SET state = 'failed', error = $2, finished_at = now(),"
                        + " updated_at = now() WHERE id = $1 AND state = 'scheduled'")
                .execute(Tuple.of(id, error)).replaceWithVoid();
    }

    private static final String INSERT = "INSERT INTO public.rollouts (direction, target_version,"
            + " state, canary_count, batch_size, max_parallel, max_failures, allow_drift, total_targets,"
            + " waves, request, up_to_date, max_parallel_per_server, max_failures_per_server, finished_at,"
            + " on_lock_timeout, lock_timeouts, lock_budget, statement_timeout, start_at, deadline)"
            + " VALUES ($1, $2, $3::text, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
            + " CASE WHEN $3::text = 'succeeded' THEN now() END, coalesce($15, 'fail'), $16::text[],"
            + " $17, $18, $19, $20) RETURNING id";

    private static Tuple columns(RolloutSpec spec, String state, RolloutStrategy stored, int total, int waves,
                                 JsonObject request, int upToDate, OffsetDateTime startAt) {
        return Tuple.tuple(Arrays.asList(spec.target().direction().value(),
                spec.target().version() == null ? null : spec.target().version().toString(), state,
                stored.canary(), stored.batchSize(), stored.maxParallel(), stored.maxFailures(),
                spec.allowDrift(), total, waves, request, upToDate,
                stored.maxParallelPerServer(), stored.maxFailuresPerServer(), stored.onLockTimeout(),
                stored.lockTimeouts() == null ? null : stored.lockTimeouts().toArray(String[]::new),
                stored.lockBudget(), stored.statementTimeout(), startAt, stored.deadline()));
    }

    /** A plan as the rollout_targets rows it becomes, and the rollout's columns that follow from it. */
    private static final class Planned {
        final UUID[] companyIds;
        final String[] schemas;
        final String[] servers;
        final Integer[] waves;
        final Integer[] positions;
        final String[] statuses;
        // Every target's versions in one flat array, each with its target's ordinal (1-based, as WITH ORDINALITY
        // counts): SQL arrays can't be ragged, so they are grouped back per target in the statement.
        final Integer[] stepTargets;
        final String[] stepVersions;
        final RolloutSpec spec;
        final RolloutPlan plan;

        Planned(RolloutSpec spec, RolloutPlan plan) {
            this.spec = spec;
            this.plan = plan;
            int n = plan.entries().size();
            companyIds = new UUID[n];
            schemas = new String[n];
            servers = new String[n];
            waves = new Integer[n];
            positions = new Integer[n];
            statuses = new String[n];
            stepTargets = new Integer[plan.steps()];
            stepVersions = new String[plan.steps()];
            int i = 0;
            int k = 0;
            for (RolloutPlan.Entry e : plan.entries()) {
                companyIds[i] = e.company().id();
                schemas[i] = e.company().schemaName();
                servers[i] = e.company().server();
                waves[i] = e.wave();
                positions[i] = e.position();
                statuses[i++] = TargetStatus.PENDING.value();
                for (Version v : e.versions()) {
                    stepTargets[k] = i;
                    stepVersions[k++] = v.toString();
                }
                for (String ignored : e.repeatables()) { // a repeatable's step, as the ledger names its version
                    stepTargets[k] = i;
                    stepVersions[k++] = Repeatable.LEDGER_VERSION;
                }
            }
        }

        boolean nothingToDo() {
            return plan.entries().isEmpty();
        }

        String state() {
            return nothingToDo() ? RolloutState.SUCCEEDED.value() : RolloutState.PENDING.value();
        }

        int total() {
            return plan.entries().size() + plan.upToDate().size();
        }

        /** The strategy as stored: the canary as the number of companies the plan put in it. */
        RolloutStrategy stored() {
            return spec.strategy().withCanary(
                    spec.hasCanary() ? (int) plan.entries().stream().filter(e -> e.wave() == 0).count() : 0);
        }

        Uni<Void> insertTargets(SqlConnection conn, UUID id) {
            if (nothingToDo()) {
                return Uni.createFrom().voidItem();
            }
            return conn.preparedQuery("INSERT INTO public.rollout_targets (rollout_id, company_id,"
                            + " schema_name, server, wave, position, status, active, versions)"
                            + " SELECT $1, t.company_id, t.schema_name, t.server, t.wave, t.position, t.status,"
                            + " t.status = 'pending', coalesce(v.versions, '{}')"
                            + " FROM unnest($2::uuid[], $3::text[], $9::text[], $4::int[], $5::int[], $6::text[])"
                            + " WITH ORDINALITY AS t(company_id, schema_name, server, wave, position, status, n)"
                            + " LEFT JOIN (SELECT s.target, array_agg(s.version ORDER BY s.k) AS versions"
                            + "   FROM unnest($7::int[], $8::text[]) WITH ORDINALITY AS s(target, version, k)"
                            + "   GROUP BY s.target) v ON v.target = t.n")
                    .execute(Tuple.of(id, companyIds, schemas, waves, positions, statuses)
                            .addArrayOfInteger(stepTargets).addArrayOfString(stepVersions)
                            .addArrayOfString(servers))
                    .replaceWithVoid();
        }
    }

    @Override
    public Uni<UUID> activeRolloutOf(UUID companyId) {
        return pool.preparedQuery("SELECT rollout_id FROM public.rollout_targets WHERE company_id = $1 AND active")
                .execute(Tuple.of(companyId))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getUUID(0) : null);
    }

    /** Names the companies another unfinished rollout holds, and that rollout. */
    private Uni<UUID> conflict(UUID[] companyIds) {
        return pool.preparedQuery("SELECT t.rollout_id, t.schema_name FROM public.rollout_targets t"
                        + " WHERE t.active AND t.company_id = ANY($1) ORDER BY t.schema_name LIMIT 20")
                .execute(Tuple.of(companyIds))
                .map(rows -> {
                    List<String> schemas = new ArrayList<>();
                    UUID other = null;
                    for (Row row : rows) {
                        other = row.getUUID(0);
                        schemas.add(row.getString(1));
                    }
                    throw new FlotillaException(ErrorCode.ROLLOUT_CONFLICT, "Companies " + String.join(", ", schemas)
                            + " are in unfinished rollout " + other + "; wait for it, or cancel it, then start again",
                            Map.of("rolloutId", String.valueOf(other), "schemas", schemas));
                });
    }

    public Uni<Rollout> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + ", r.up_to_date,"
                        + " (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM public.rollout_targets"
                        + "   WHERE rollout_id = r.id GROUP BY status) x) AS targets,"
                        + " (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM public.migration_ledger"
                        + "   WHERE run_id = r.id GROUP BY status) y) AS steps,"
                        + " (SELECT json_object_agg(server, counts) FROM (SELECT server, json_object_agg(status, n) AS counts"
                        + "   FROM (SELECT server, status, count(*) n FROM public.rollout_targets WHERE rollout_id = r.id"
                        + "   GROUP BY server, status) z GROUP BY server) w) AS servers"
                        + " FROM public.rollouts r WHERE r.id = $1")
                .execute(Tuple.of(id))
                .flatMap(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    return Uni.combine().all().unis(failures(id), waiting(id)).asTuple()
                            .map(both -> rollout(row, targets(row), counts(row, "steps"), both.getItem1(),
                                    perServer(row.getJsonObject("servers")), both.getItem2()));
                });
    }

    /** Companies per status on each server (the rows of its targets; up-to-date companies are only counted fleet-wide). */
    private static Map<String, Map<String, Long>> perServer(io.vertx.core.json.JsonObject servers) {
        Map<String, Map<String, Long>> byServer = new java.util.TreeMap<>();
        if (servers != null) {
            servers.forEach(server -> {
                Map<String, Long> counts = new java.util.TreeMap<>();
                ((io.vertx.core.json.JsonObject) server.getValue()).forEach(c -> counts.put(c.getKey(),
                        ((Number) c.getValue()).longValue()));
                byServer.put(server.getKey(), counts);
            });
        }
        return byServer;
    }

    private Uni<List<Rollout.Failure>> failures(UUID id) {
        return pool.preparedQuery("SELECT company_id, schema_name, server, failed_version, error, error_sqlstate, finished_at"
                        + " FROM public.rollout_targets WHERE rollout_id = $1 AND status = 'failed'"
                        + " ORDER BY finished_at LIMIT 100")
                .execute(Tuple.of(id))
                .map(rows -> {
                    List<Rollout.Failure> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new Rollout.Failure(r.getUUID(0), r.getString(1), r.getString(2),
                            r.getString(3), r.getString(4), r.getString(5), r.getOffsetDateTime(6))));
                    return list;
                });
    }

    /** Companies waiting now, with why (a window's next opening, a server away, locks); the first 100 in plan order. */
    private Uni<List<Rollout.Waiting>> waiting(UUID id) {
        return pool.preparedQuery("SELECT company_id, schema_name, server, error FROM public.rollout_targets"
                        + " WHERE rollout_id = $1 AND status = 'waiting' ORDER BY wave, position LIMIT 100")
                .execute(Tuple.of(id))
                .map(rows -> {
                    List<Rollout.Waiting> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new Rollout.Waiting(r.getUUID(0), r.getString(1), r.getString(2),
                            r.getString(3))));
                    return list;
                });
    }

    /** Newest first, each with its counts of companies per status: one query. */
    public Uni<List<Rollout>> list(int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + ", r.up_to_date,"
                        + " (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM public.rollout_targets"
                        + "   WHERE rollout_id = r.id GROUP BY status) x) AS targets"
                        + " FROM public.rollouts r ORDER BY r.created_at DESC LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Rollout> list = new ArrayList<>();
                    rows.forEach(row -> list.add(rollout(row, targets(row), null, null, null, null)));
                    return list;
                });
    }

    /** Companies per target status; those found up to date when planned are skipped targets, stored as a count. */
    private static Map<String, Long> targets(Row row) {
        Map<String, Long> counts = counts(row, "targets");
        int upToDate = row.getInteger("up_to_date");
        if (upToDate > 0) {
            counts.merge(TargetStatus.SKIPPED.value(), (long) upToDate, Long::sum);
        }
        return counts;
    }

    private static Map<String, Long> counts(Row row, String column) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Object value = row.getValue(column);
        if (value instanceof io.vertx.core.json.JsonObject json) {
            json.forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return counts;
    }

    /** Moves the state from one of {@code from} to {@code to}; false when it was in none of them. */
    public Uni<Boolean> transition(UUID id, List<RolloutState> from, RolloutState to) {
        return pool.preparedQuery("UPDATE public.rollouts SET state = $2::text, updated_at = now(),"
                        + " finished_at = CASE WHEN $2::text IN ('succeeded', 'failed', 'cancelled') THEN now() ELSE finished_at END"
                        + " WHERE id = $1 AND state = ANY($3)")
                .execute(Tuple.of(id, to.value(), from.stream().map(RolloutState::value).toArray(String[]::new)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Rollouts some replica should be running, or whose companies still need releasing; oldest first. */
    public Uni<List<UUID>> claimable() {
        return pool.query("SELECT r.id FROM public.rollouts r WHERE r.state IN ('pending', 'running')"
                        + " OR (r.state IN ('succeeded', 'failed', 'cancelled')"
                        + "     AND EXISTS (SELECT 1 FROM public.rollout_targets t WHERE t.rollout_id = r.id AND t.active))"
                        + " ORDER BY r.created_at LIMIT 20")
                .execute()
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID(0)));
                    return ids;
                });
    }

    /** What the owner needs to run: state, settings, and the companies still to do, in wave order. */
    public record Work(UUID id, RolloutState state, Target target, RolloutStrategy strategy, boolean allowDrift,
                       int currentWave, long failedSoFar, Map<String, Long> failedByServer, List<TargetWork> targets) {
    }

    /** A company still to do, with its maintenance window (null: none, it runs whenever its turn comes). */
    public record TargetWork(Company company, int wave, int plannedSteps, MaintenanceWindow window) {
    }

    public Uni<Work> work(SqlConnection conn, UUID id) {
        return conn.preparedQuery("SELECT r.state, r.direction, r.target_version, r.canary_count, r.batch_size,"
                        + " r.max_parallel, r.max_failures, r.max_parallel_per_server, r.max_failures_per_server,"
                        + " r.on_lock_timeout, r.lock_timeouts, r.lock_budget, r.statement_timeout,"
                        + " r.allow_drift, r.current_wave, r.deadline,"
                        + " (SELECT count(*) FROM public.rollout_targets WHERE rollout_id = r.id AND status = 'failed') AS failed,"
                        + " (SELECT json_object_agg(server, n) FROM (SELECT server, count(*) n FROM public.rollout_targets"
                        + "   WHERE rollout_id = r.id AND status = 'failed' GROUP BY server) f) AS failed_by_server"
                        + " FROM public.rollouts r WHERE id = $1")
                .execute(Tuple.of(id))
                .flatMap(rows -> {
                    Row r = rows.iterator().next();
                    return conn.preparedQuery("SELECT t.wave, coalesce(array_length(t.versions, 1), 0) AS planned,"
                                    + " c.id, c.company_name, c.schema_name, c.server, c.status, c.settings, c.created_at, c.updated_at,"
                                    + " c.deleted_at, w.time_zone AS window_zone, w.ranges AS window_ranges"
                                    + " FROM public.rollout_targets t JOIN public.companies c ON c.id = t.company_id"
                                    + " LEFT JOIN public.company_windows w ON w.company_id = c.id"
                                    + " WHERE t.rollout_id = $1 AND t.status IN ('pending', 'running', 'waiting') ORDER BY t.wave, t.position")
                            .execute(Tuple.of(id))
                            .map(targets -> {
                                List<TargetWork> list = new ArrayList<>();
                                targets.forEach(t -> list.add(new TargetWork(Company.fromRow(t), t.getInteger("wave"),
                                        t.getInteger("planned"), t.getString("window_zone") == null ? null
                                        : WindowRules.stored(t.getString("window_zone"),
                                                List.of(t.getArrayOfStrings("window_ranges"))))));
                                String version = r.getString("target_version");
                                return new Work(id, RolloutState.parse(r.getString("state")),
                                        new Target(Direction.parse(r.getString("direction")),
                                                version == null ? null : Version.parse(version)),
                                        strategy(r), r.getBoolean("allow_drift"), r.getInteger("current_wave"),
                                        r.getLong("failed"), failedByServer(r.getJsonObject("failed_by_server")), list);
                            });
                });
    }

    private static Map<String, Long> failedByServer(io.vertx.core.json.JsonObject counts) {
        Map<String, Long> byServer = new java.util.HashMap<>();
        if (counts != null) {
            counts.forEach(e -> byServer.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return byServer;
    }

    /** Marks the rollout as owned and running; reads back the state an operator may have changed. */
    public Uni<RolloutState> heartbeat(SqlConnection conn, UUID id, String owner, int currentWave) {
        return conn.preparedQuery("UPDATE public.rollouts SET owner = $2, heartbeat_at = now(), current_wave = $3,"
                        + " state = CASE WHEN state = 'pending' THEN 'running' ELSE state END,"
                        + " started_at = coalesce(started_at, now()) WHERE id = $1 RETURNING state")
                .execute(Tuple.of(id, owner, currentWave))
                .map(rows -> RolloutState.parse(rows.iterator().next().getString(0)));
    }

    /** A company's change of status within a rollout, as its owner reports it. */
    public record TargetUpdate(UUID companyId, TargetStatus status, int steps, String failedVersion, String error,
                               String sqlState, boolean started) {
    }

    /**
     * Writes a batch of companies' progress in one statement. Bookkeeping only: if a batch is lost in a crash, the
     * resumed rollout runs those companies again and the ledger, the source of truth, says nothing is left to do.
     */
    public Uni<Void> targets(SqlClient client, UUID id, List<TargetUpdate> updates) {
        if (updates.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = updates.size();
        UUID[] companies = new UUID[n];
        String[] statuses = new String[n];
        Integer[] steps = new Integer[n];
        String[] versions = new String[n];
        String[] errors = new String[n];
        String[] sqlStates = new String[n];
        Boolean[] started = new Boolean[n];
        for (int i = 0; i < n; i++) {
            TargetUpdate u = updates.get(i);
            companies[i] = u.companyId();
            statuses[i] = u.status().value();
            steps[i] = u.steps();
            versions[i] = u.failedVersion();
            errors[i] = u.error();
            sqlStates[i] = u.sqlState();
            started[i] = u.started();
        }
        return client.preparedQuery("UPDATE public.rollout_targets t SET status = u.status, steps = t.steps + u.steps,"
                        + " failed_version = u.failed_version, error = u.error, error_sqlstate = u.sqlstate,"
                        + " started_at = CASE WHEN u.started THEN coalesce(t.started_at, now()) ELSE t.started_at END,"
                        + " finished_at = CASE WHEN u.status NOT IN ('running', 'pending', 'waiting') THEN now() END"
                        + " FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::bool[])"
                        + " AS u(company_id, status, steps, failed_version, error, sqlstate, started)"
                        + " WHERE t.rollout_id = $1 AND t.company_id = u.company_id")
                .execute(Tuple.of(id, companies, statuses, steps).addArrayOfString(versions).addArrayOfString(errors)
                        .addArrayOfString(sqlStates).addArrayOfBoolean(started))
                .replaceWithVoid();
    }

    /** Ends a rollout: final state (unless an operator already cancelled it), and its companies released. */
    public Uni<Void> close(SqlClient client, UUID id, RolloutState state, String error) {
        return close(client, id, state, error, null);
    }

    /**
     * {@link #close(SqlClient, UUID, RolloutState, String)}, the companies it never finished cancelled with
     * {@code unreachedReason} as their error (null: the error they had, e.g. a window's next opening, stays).
     */
    public Uni<Void> close(SqlClient client, UUID id, RolloutState state, String error, String unreachedReason) {
        return client.preparedQuery("WITH r AS (UPDATE public.rollouts SET state = CASE WHEN state = 'cancelled'"
                        + " THEN state ELSE $2::text END, error = coalesce($3, error), finished_at = coalesce(finished_at, now()),"
                        + " updated_at = now(), owner = NULL WHERE id = $1 RETURNING id)"
                        + " UPDATE public.rollout_targets SET active = false,"
                        + " error = CASE WHEN status IN ('pending', 'running', 'waiting') THEN coalesce($4, error) ELSE error END,"
                        + " status = CASE WHEN status IN ('pending', 'running', 'waiting') THEN 'cancelled' ELSE status END,"
                        + " finished_at = coalesce(finished_at, now())"
                        + " WHERE rollout_id = (SELECT id FROM r) AND (active OR status IN ('pending', 'running', 'waiting'))")
                .execute(Tuple.of(id, state.value(), error, unreachedReason)).replaceWithVoid();
    }

    /** Steps its owner paused on: nobody owns it now; companies stay reserved for the resume. */
    public Uni<Void> release(SqlClient client, UUID id) {
        return client.preparedQuery("UPDATE public.rollouts SET owner = NULL, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    public Uni<RolloutState> state(UUID id) {
        return pool.preparedQuery("SELECT state FROM public.rollouts WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? RolloutState.parse(rows.iterator().next().getString(0)) : null);
    }

    /** A rollout's own columns, as {@link #rollout} and {@link #strategy} read them. */
    static final String COLUMNS = "r.id, r.direction, r.target_version, r.state, r.canary_count, r.batch_size,"
            + " r.max_parallel, r.max_failures, r.max_parallel_per_server, r.max_failures_per_server, r.on_lock_timeout, r.lock_timeouts, r.lock_budget, r.statement_timeout, r.allow_drift, r.total_targets, r.waves, r.current_wave, r.owner,"
            + " r.heartbeat_at, r.error, r.created_at, r.started_at, r.finished_at, r.start_at, r.deadline";

    /** The strategy as stored, from a row that has the {@link #COLUMNS}. */
    static RolloutStrategy strategy(Row row) {
        return new RolloutStrategy(row.getInteger("canary_count"), row.getInteger("batch_size"),
                row.getInteger("max_parallel"), row.getInteger("max_failures"), row.getInteger("max_parallel_per_server"),
                row.getInteger("max_failures_per_server"), row.getString("on_lock_timeout"),
                row.getArrayOfStrings("lock_timeouts") == null ? null : List.of(row.getArrayOfStrings("lock_timeouts")),
                row.getString("lock_budget"), row.getString("statement_timeout"), deadline(row));
    }

    private static OffsetDateTime deadline(Row row) {
        OffsetDateTime d = row.getOffsetDateTime("deadline");
        return d == null ? null : d.withOffsetSameInstant(java.time.ZoneOffset.UTC);
    }

    /** A rollout row (its {@link #COLUMNS}) with what was read beside it. */
    private static Rollout rollout(Row row, Map<String, Long> targets, Map<String, Long> steps, List<Rollout.Failure> failures,
                                   Map<String, Map<String, Long>> servers, List<Rollout.Waiting> waiting) {
        return new Rollout(row.getUUID("id"), row.getString("direction"), row.getString("target_version"),
                RolloutState.parse(row.getString("state")),
                strategy(row),
                row.getBoolean("allow_drift"), row.getInteger("total_targets"), row.getInteger("waves"),
                row.getInteger("current_wave"), row.getString("owner"), row.getOffsetDateTime("heartbeat_at"),
                row.getString("error"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"),
                row.getOffsetDateTime("finished_at"), row.getOffsetDateTime("start_at"), targets, steps, failures, servers, waiting);
    }
}
