package io.flotilla.maintenance;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.lock.LockPolicy;
import io.flotilla.lock.LockTally;
import io.flotilla.lock.LockTimedOut;
import io.flotilla.maintenance.MaintenanceRepository.StepStatus;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.TemplateValues;
import io.flotilla.notify.Events;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.Connections;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyRepository;
import io.flotilla.window.MaintenanceWindow;
import io.flotilla.window.WindowRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs maintenance jobs over company schemas, each on the server that holds it, with bounded parallelism on every
 * server, under each schema's advisory lock there (so a vacuum never interleaves with a migration of the same
 * schema), recording one step per company with its server. One schema failing never stops the others; a company
 * whose server is offline or cannot be reached, or whose maintenance window is closed, is skipped, with the reason,
 * and the run goes on.
 */
@ApplicationScoped
public class MaintenanceService {

    /** The start of a skipped step's detail when the company's window was closed, followed by its next opening. */
    public static final String WINDOW_SKIP = "outside its maintenance window; opens at ";

    private final MaintenanceCatalog catalog;
    private final MaintenanceRepository runs;
    private final MaintenanceScheduler scheduler;
    private final CompanyRepository companies;
    private final TenantExecutor executor;
    private final AdvisoryLocks locks;
    private final MaintenanceSql maintenanceSql;
    private final ServerPools pools;
    private final FlotillaConfig config;
    private final String executedBy;
    private final MeterRegistry metrics;
    private final Events events;
    private final WindowRepository windows;

    public MaintenanceService(MaintenanceCatalog catalog, MaintenanceRepository runs, MaintenanceScheduler scheduler,
                              CompanyRepository companies, TenantExecutor executor, AdvisoryLocks locks,
                              MaintenanceSql maintenanceSql, ServerPools pools, FlotillaConfig config,
                              SchemaMigrator migrator, MeterRegistry metrics, Events events, WindowRepository windows) {
        this.windows = windows;
        this.events = events;
        this.catalog = catalog;
        this.runs = runs;
        this.scheduler = scheduler;
        this.companies = companies;
        this.executor = executor;
        this.locks = locks;
        this.maintenanceSql = maintenanceSql;
        this.pools = pools;
        this.config = config;
        this.executedBy = migrator.executedBy();
        this.metrics = metrics;
    }

    /** Records a manual run and hands it to Quartz, which runs it once on some replica of the cluster. */
    public Uni<MaintenanceRun> request(String job, List<UUID> companyIds) {
        catalog.get(job);
        Uni<Void> check = companyIds == null || companyIds.isEmpty() ? Uni.createFrom().voidItem()
                : companies.findAll(companyIds).map(found -> {
                    Set<UUID> known = new HashSet<>(found.stream().map(Company::id).toList());
                    List<String> unknown = companyIds.stream().filter(id -> !known.contains(id)).map(UUID::toString).toList();
                    if (!unknown.isEmpty()) {
                        throw new FlotillaException(ErrorCode.COMPANY_NOT_FOUND, "No companies with ids " + String.join(", ", unknown));
                    }
                    return null;
                });
        return check.flatMap(x -> runs.create(job, "manual", companyIds == null || companyIds.isEmpty() ? null : companyIds))
                .invoke(runId -> scheduler.runNow(job, runId))
                .flatMap(this::get);
    }

    /** Every job with its next fire time and last run: one query for the runs. */
    public Uni<List<MaintenanceJobView>> jobs() {
        return runs.lastRuns().map(last -> catalog.jobs().stream().map(j -> new MaintenanceJobView(j.name(),
                j.kind().name().toLowerCase().replace('_', '-'), j.description(), j.cron(), j.enabled(),
                scheduler.nextFireTime(j.name()), last.get(j.name()))).toList());
    }

    public Uni<List<MaintenanceRun>> runs(String job, int limit) {
        if (job != null) {
            catalog.get(job);
        }
        return runs.list(job, limit);
    }

    public Uni<MaintenanceRun> get(UUID runId) {
        return runs.find(runId).onItem().ifNull().failWith(() -> new FlotillaException(ErrorCode.RUN_NOT_FOUND,
                "No maintenance run with id " + runId));
    }

    /**
     * One firing: a scheduled one creates its run (or, recovering a dead node's firing, carries its run on); a
     * manual one runs the row {@link #request} made. Companies already done in this run are not done again.
     */
    public Uni<UUID> execute(String job, UUID requested, boolean recovering) {
        MaintenanceJobDefinition definition = catalog.get(job);
        long began = System.nanoTime();
        // The run's own end state, read when it is reported: a company's failed step fails the run for the metric too.
        AtomicBoolean runFailed = new AtomicBoolean();
        Uni<UUID> runId = requested != null ? Uni.createFrom().item(requested)
                : (recovering ? runs.unfinishedScheduled(job) : Uni.createFrom().<UUID>nullItem())
                .flatMap(found -> found != null ? Uni.createFrom().item(found) : runs.create(job, "scheduled", null));
        return runId.flatMap(id -> runs.companiesOf(id)
                .flatMap(selection -> companies.findAll(selection == null ? null : selection.companyIds()))
                .flatMap(found -> runs.done(id).flatMap(done -> {
                    List<Company> todo = found.stream().filter(Company::migratable).filter(c -> !done.contains(c.id())).toList();
                    // A recovered run counts the companies its dead replica already did, too.
                    return runs.start(id, todo.size() + done.size(), executedBy).replaceWith(todo);
                }))
                .flatMap(todo -> windows.forCompanies(todo.stream().map(Company::id).toList())
                        .flatMap(byCompany -> runAll(definition, id, todo, byCompany)))
                .flatMap(x -> runs.finish(id, null))
                .onFailure().call(e -> runs.finish(id, e.getMessage()).onFailure().recoverWithNull())
                .invoke(() -> Log.infof("Maintenance %s run %s finished", job, id))
                .eventually(() -> reportFailure(job, id, runFailed))
                .replaceWith(id))
                .onItemOrFailure().invoke((id, e) -> runTimer(job, e == null && !runFailed.get() ? "succeeded" : "failed")
                        .record(System.nanoTime() - began, TimeUnit.NANOSECONDS));
    }

    /** A run that ended failed (it could not finish, or a company's step failed) is reported to webhooks. */
    private Uni<Void> reportFailure(String job, UUID runId, AtomicBoolean failed) {
        return runs.find(runId).invoke(run -> {
            if (run != null && "failed".equals(run.state())) {
                failed.set(true);
                events.maintenanceFailed(job, runId, run.error() != null ? run.error()
                        : run.failed() + " of " + run.companies() + " companies failed");
            }
        }).replaceWithVoid().onFailure().recoverWithNull();
    }

    /** One series per job of the catalog and outcome (tag "maintenance": Prometheus keeps "job" for the scrape job); a
     * run failed when it could not finish or one of its schemas failed (its state, as the maintenance.failed event). */
    private Timer runTimer(String job, String outcome) {
        return Timer.builder("flotilla.maintenance.run").description("Maintenance runs and their duration, by job and outcome")
                .tag("maintenance", job).tag("outcome", outcome).register(metrics);
    }

    /**
     * Every server's companies at once, each server with at most {@code maintenance-parallelism} schemas in work: a
     * server's pool is its own, so servers do not wait for each other, and none gets more than its share.
     */
    private Uni<Void> runAll(MaintenanceJobDefinition job, UUID runId, List<Company> todo,
                             Map<UUID, MaintenanceWindow> windows) {
        if (todo.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, List<Company>> byServer = todo.stream()
                .collect(Collectors.groupingBy(Company::server, LinkedHashMap::new, Collectors.toList()));
        // Why a server was found offline or unreachable in this run: its other companies are skipped without asking.
        Map<String, String> away = new ConcurrentHashMap<>();
        int perServer = config.execution().maintenanceParallelism();
        return Multi.createFrom().iterable(byServer.values())
                .onItem().transformToUni(companiesThere -> Multi.createFrom().iterable(companiesThere)
                        .onItem().transformToUni(c -> runOne(job, runId, c, windows.get(c.id()), away))
                        .merge(perServer)
                        .collect().last())
                .merge(byServer.size())
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> runOne(MaintenanceJobDefinition job, UUID runId, Company company, MaintenanceWindow window,
                             Map<String, String> away) {
        String schema = company.schemaName();
        String server = company.server();
        OffsetDateTime startedAt = OffsetDateTime.now();
        long began = System.nanoTime();
        // Looked at when its turn comes (a long run may reach it after its window closed); skipped, not deferred: the
        // job's next firing is its next chance, as for a company whose server is away.
        if (window != null && !window.isOpen(startedAt.toInstant())) {
            return skip(runId, company, WINDOW_SKIP + window.nextOpening(startedAt.toInstant()) + " (window " + window
                    + ")", startedAt, began);
        }
        String known = away.get(server);
        if (known != null) {
            return skip(runId, company, known, startedAt, began);
        }
        // Getting a connection is where an offline or unreachable server shows: that skips; anything after fails.
        return pools.forWork(server).flatMap(db -> Connections.take(db.pool())).onItemOrFailure().transformToUni((conn, e) -> {
            if (e != null) {
                String reason = e instanceof FlotillaException f && f.code() == ErrorCode.SERVER_UNAVAILABLE ? f.getMessage()
                        : "Server '" + server + "' could not be reached: " + e.getMessage();
                if (away.putIfAbsent(server, reason) == null) {
                    Log.warnf("Maintenance %s skips the companies of server %s: %s", job.name(), server, reason);
                }
                return skip(runId, company, reason, startedAt, began);
            }
            return locks.lockSchema(conn, schema, config.execution().lockWait())
                    .flatMap(locked -> work(job, conn, schema, server)
                            .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull()))
                    .eventually(() -> conn.close().onFailure().recoverWithNull())
                    .flatMap(detail -> runs.step(runId, company.id(), schema, server, StepStatus.SUCCEEDED, detail, null,
                            null, startedAt, millisSince(began)))
                    .onFailure().recoverWithUni(failure -> {
                        Log.warnf("Maintenance %s failed on %s (server %s): %s", job.name(), schema, server,
                                failure.getMessage());
                        PgException pg = TenantExecutor.pgError(failure);
                        String sqlState = pg != null ? pg.getSqlState() : null;
                        String message = pg != null && !(failure instanceof LockTimedOut)
                                ? pg.getErrorMessage() : failure.getMessage();
                        return runs.step(runId, company.id(), schema, server, StepStatus.FAILED, null, message, sqlState,
                                startedAt, millisSince(began)).onFailure().recoverWithNull();
                    });
        });
    }

    private Uni<Void> skip(UUID runId, Company company, String reason, OffsetDateTime startedAt, long began) {
        return runs.step(runId, company.id(), company.schemaName(), company.server(), StepStatus.SKIPPED, reason, null,
                null, startedAt, millisSince(began)).onFailure().recoverWithNull();
    }

    /**
     * A custom job and a materialized view's refresh take locks on tables the company's application uses: they run
     * as migration steps do, in short lock-timeout attempts within the budget ({@code flotilla.locks}). VACUUM's lock
     * blocks neither reads nor writes.
     */
    private Uni<String> work(MaintenanceJobDefinition job, SqlConnection conn, String schema, String server) {
        LockPolicy policy = SchemaMigrator.configuredPolicy(config);
        return switch (job.kind()) {
            case REFRESH_MATERIALIZED_VIEWS -> maintenanceSql.refreshMaterializedViews(conn, schema, policy,
                    new LockTally(server));
            case VACUUM_ANALYZE -> maintenanceSql.vacuumAnalyze(conn, schema);
            case CUSTOM_SQL -> executor.runInTransaction(conn, schema, render(job.script(), schema), policy,
                            new LockTally(server))
                    .replaceWith("ran " + job.file());
        };
    }

    /**
     * A job's SQL for one schema, rendered as migrations are: {@code ${schema}} the quoted schema name. A job has no
     * other values, so any other {@code ${name}} stays as written.
     */
    static String render(MigrationScript script, String schema) {
        Map<String, String> asWritten = new TreeMap<>();
        script.placeholderNames().forEach(name -> asWritten.put(name, "${" + name + "}"));
        return TemplateValues.render(schema, script, asWritten);
    }

    private static long millisSince(long began) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }
}
