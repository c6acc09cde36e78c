package io.flotilla.maintenance;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Queries on {@code maintenance_runs} and {@code maintenance_steps}. */
@ApplicationScoped
public class MaintenanceRepository {

    private static final String COLUMNS = "id, job, trigger, state, companies, succeeded, failed, skipped, executed_by, error,"
            + " created_at, started_at, finished_at";

    private final Pool pool;

    public MaintenanceRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<UUID> create(String job, String trigger, List<UUID> companyIds) {
        return pool.preparedQuery("INSERT INTO public.maintenance_runs (job, trigger, state, company_ids)"
                        + " VALUES ($1, $2, 'pending', $3) RETURNING id")
                .execute(Tuple.of(job, trigger, companyIds == null ? null : companyIds.toArray(UUID[]::new)))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    /** The companies a run was asked for (null: every active one); null item when no such run. */
    public Uni<RunCompanies> companiesOf(UUID runId) {
        return pool.preparedQuery("SELECT company_ids FROM public.maintenance_runs WHERE id = $1").execute(Tuple.of(runId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    UUID[] ids = (UUID[]) rows.iterator().next().getValue(0);
                    return new RunCompanies(ids == null ? null : Arrays.asList(ids));
                });
    }

    /** Wrapper because a run's company list may legitimately be null (all companies). */
    public record RunCompanies(List<UUID> companyIds) {
    }

    /** A scheduled run of this job left running by a node that died: Quartz recovers the firing, we carry it on. */
    public Uni<UUID> unfinishedScheduled(String job) {
        return pool.preparedQuery("SELECT id FROM public.maintenance_runs WHERE job = $1 AND trigger = 'scheduled'"
                        + " AND state IN ('pending', 'running') ORDER BY created_at DESC LIMIT 1")
                .execute(Tuple.of(job))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getUUID(0) : null);
    }

    public Uni<Void> start(UUID runId, int companies, String executedBy) {
        return pool.preparedQuery("UPDATE public.maintenance_runs SET state = 'running', companies = $2, executed_by = $3,"
                        + " started_at = coalesce(started_at, now()) WHERE id = $1")
                .execute(Tuple.of(runId, companies, executedBy)).replaceWithVoid();
    }

    /** Companies this run already did (a recovered run carries on rather than doing them twice). */
    public Uni<Set<UUID>> done(UUID runId) {
        return pool.preparedQuery("SELECT company_id FROM public.maintenance_steps WHERE run_id = $1").execute(Tuple.of(runId))
                .map(rows -> {
                    Set<UUID> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getUUID(0)));
                    return ids;
                });
    }

    /** What one company's step came to: succeeded or failed there, or skipped because its server was not there. */
    public enum StepStatus {
        SUCCEEDED, FAILED, SKIPPED;

        String value() {
            return name().toLowerCase();
        }
    }

    public Uni<Void> step(UUID runId, UUID companyId, String schema, String server, StepStatus status, String detail,
                          String error, String sqlState, OffsetDateTime startedAt, long durationMs) {
        return pool.preparedQuery("INSERT INTO public.maintenance_steps (run_id, company_id, schema_name, server, status,"
                        + " detail, error, error_sqlstate, started_at, finished_at, duration_ms)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp(), $10)")
                .execute(Tuple.tuple(Arrays.asList(runId, companyId, schema, server, status.value(), detail, error,
                        sqlState, startedAt, durationMs)))
                .replaceWithVoid();
    }

    /** Closes a run with counts taken from its steps, so a recovered run's totals stay right. */
    public Uni<Void> finish(UUID runId, String error) {
        return pool.preparedQuery("UPDATE public.maintenance_runs r SET"
                        + " succeeded = s.ok, failed = s.ko, skipped = s.skip, finished_at = now(), error = $2::text,"
                        + " state = CASE WHEN s.ko > 0 OR $2::text IS NOT NULL THEN 'failed' ELSE 'succeeded' END"
                        + " FROM (SELECT count(*) FILTER (WHERE status = 'succeeded') AS ok,"
                        + "   count(*) FILTER (WHERE status = 'failed') AS ko,"
                        + "   count(*) FILTER (WHERE status = 'skipped') AS skip"
                        + "   FROM public.maintenance_steps WHERE run_id = $1) s WHERE r.id = $1")
                .execute(Tuple.of(runId, error)).replaceWithVoid();
    }

    public Uni<MaintenanceRun> find(UUID runId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM public.maintenance_runs WHERE id = $1").execute(Tuple.of(runId))
                .flatMap(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    Row run = rows.iterator().next();
                    return pool.preparedQuery("SELECT company_id, schema_name, server, status, detail, error,"
                                    + " error_sqlstate, started_at, duration_ms FROM public.maintenance_steps WHERE run_id = $1 ORDER BY id")
                            .execute(Tuple.of(runId))
                            .map(steps -> {
                                List<MaintenanceRun.Step> list = new ArrayList<>();
                                steps.forEach(s -> list.add(new MaintenanceRun.Step(s.getUUID(0), s.getString(1),
                                        s.getString(2), s.getString(3), s.getString(4), s.getString(5), s.getString(6),
                                        s.getOffsetDateTime(7), s.getLong(8))));
                                return from(run, list);
                            });
                });
    }

    public Uni<List<MaintenanceRun>> list(String job, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM public.maintenance_runs WHERE ($1::text IS NULL OR job = $1)"
                        + " ORDER BY created_at DESC LIMIT $2")
                .execute(Tuple.of(job, limit))
                .map(rows -> {
                    List<MaintenanceRun> list = new ArrayList<>();
                    rows.forEach(r -> list.add(from(r, null)));
                    return list;
                });
    }

    /** The newest run of each job: one query for the job list. */
    public Uni<Map<String, MaintenanceRun>> lastRuns() {
        return pool.query("SELECT DISTINCT ON (job) " + COLUMNS + " FROM public.maintenance_runs ORDER BY job, created_at DESC")
                .execute()
                .map(rows -> {
                    Map<String, MaintenanceRun> map = new HashMap<>();
                    rows.forEach(r -> map.put(r.getString("job"), from(r, null)));
                    return map;
                });
    }

    private static MaintenanceRun from(Row r, List<MaintenanceRun.Step> steps) {
        return new MaintenanceRun(r.getUUID("id"), r.getString("job"), r.getString("trigger"), r.getString("state"),
                r.getInteger("companies"), r.getInteger("succeeded"), r.getInteger("failed"), r.getInteger("skipped"),
                r.getString("executed_by"),
                r.getString("error"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("started_at"),
                r.getOffsetDateTime("finished_at"), steps);
    }
}
