package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerCopy;
import io.flotilla.ledger.LedgerRepository.LockAttempts;
import io.flotilla.ledger.LedgerRepository.StepError;
import io.flotilla.ledger.LedgerRepository.StepStart;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.RepeatableState;
import io.flotilla.ledger.Shapes;
import io.flotilla.ledger.StepStatus;
import io.flotilla.ledger.VersionHistory;
import io.flotilla.lock.LockPauses;
import io.flotilla.lock.LockPolicy;
import io.flotilla.lock.LockTally;
import io.flotilla.lock.LockTimedOut;
import io.flotilla.lock.SteppedAside;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Brings one tenant schema up to the catalog: takes the schema's advisory lock on one pooled connection, reads
 * the ledger once, renders every pending script (so an unresolved placeholder fails before any SQL runs), then
 * applies them in version order, one transaction each, stopping at the first failure.
 */
@ApplicationScoped
public class SchemaMigrator {

    private final ServerPools servers;
    private final LedgerCopy copy;
    private final TenantExecutor executor;
    private final AdvisoryLocks locks;
    private final TemplateRepository lookup;
    private final LedgerRepository ledger;
    private final FlotillaConfig config;
    private final MeterRegistry metrics;
    private final String executedBy;
    /** The configured lock policy ({@code flotilla.locks}); rollouts and migrations override parts of it. */
    private final LockPolicy locksConfigured;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public SchemaMigrator(ServerPools servers, LedgerCopy copy, TenantExecutor executor, AdvisoryLocks locks, TemplateRepository lookup,
                          LedgerRepository ledger, FlotillaConfig config, MeterRegistry metrics) {
        this.servers = servers;
        this.copy = copy;
        this.executor = executor;
        this.locks = locks;
        this.lookup = lookup;
        this.ledger = ledger;
        this.config = config;
        this.metrics = metrics;
        this.executedBy = config.execution().instanceName().orElseGet(SchemaMigrator::hostName);
        this.locksConfigured = configuredPolicy(config);
    }

    /** {@code flotilla.locks} as a policy. */
    public static LockPolicy configuredPolicy(FlotillaConfig config) {
        return new LockPolicy(config.locks().timeouts(), config.locks().budget(), config.locks().statementTimeout());
    }

    /** The policy a step runs under: the migration's directives over the rollout's strategy over the configuration. */
    LockPolicy policyFor(MigrationScript script, LockPolicy.Overrides rollout) {
        return locksConfigured.with((rollout == null ? LockPolicy.Overrides.NONE : rollout).then(script.locks()));
    }

    /** Who runs steps here, as recorded in the ledger's {@code executed_by}. */
    public String executedBy() {
        return executedBy;
    }

    /**
     * A step to take: a migration's version (null for a repeatable migration) and name, the script for the direction,
     * rendered for this company.
     */
    record PlannedStep(Version version, String name, MigrationScript script, String sql) {

        boolean repeatable() {
            return version == null;
        }

        /** The version as the ledger and the answers say it; {@link Repeatable#LEDGER_VERSION} for a repeatable. */
        String label() {
            return version == null ? Repeatable.LEDGER_VERSION : version.toString();
        }
    }

    /** What the run reads under the schema's lock: the versions' history and the repeatables' state. */
    private record Read(Map<Version, VersionHistory> history, Map<String, RepeatableState> repeatables) {

        boolean running() {
            return history.values().stream().anyMatch(h -> h.latest().status() == StepStatus.RUNNING)
                    || repeatables.values().stream().anyMatch(RepeatableState::running);
        }
    }

    /** Up to the catalog's latest, with a fresh run id. */
    public Uni<ApplyResult> migrate(MigrationTenant company, MigrationCatalog catalog, boolean allowDrift) {
        return migrate(company, catalog, Target.latest(), allowDrift, UUID.randomUUID());
    }

    public Uni<ApplyResult> migrate(MigrationTenant company, MigrationCatalog catalog, Target target, boolean allowDrift,
                                    UUID runId) {
        return migrate(company, catalog, target, allowDrift, runId, true);
    }

    /**
     * @param lookUpTenantValues false when the caller knows no tenant can answer a template look-up (a rollout
     *                           checks once that {@code public.models_details} is missing), saving a round trip
     */
    public Uni<ApplyResult> migrate(MigrationTenant company, MigrationCatalog catalog, Target target, boolean allowDrift,
                                    UUID runId, boolean lookUpTenantValues) {
        return migrate(company, catalog, target, allowDrift, runId, lookUpTenantValues, LockPolicy.Overrides.NONE);
    }

    /** @param locks what the rollout's strategy sets of the lock policy (a migration's directives still win) */
    public Uni<ApplyResult> migrate(MigrationTenant company, MigrationCatalog catalog, Target target, boolean allowDrift,
                                    UUID runId, boolean lookUpTenantValues, LockPolicy.Overrides locks) {
        return migrate(company, catalog, target, allowDrift, runId, lookUpTenantValues, locks, LockPauses.KEEP);
    }

    /** @param pauses what the caller does with its share of the work while a step pauses between lock attempts */
    public Uni<ApplyResult> migrate(MigrationTenant company, MigrationCatalog catalog, Target target, boolean allowDrift,
                                    UUID runId, boolean lookUpTenantValues, LockPolicy.Overrides locks,
                                    LockPauses pauses) {
        if (!company.migratable()) {
            return Uni.createFrom().failure(company.notMigratable());
        }
        return servers.forWork(company.server()).flatMap(database -> database.withConnection(conn ->
                        migrate(conn, database, company, catalog, target, allowDrift, runId, lookUpTenantValues, locks,
                                pauses))
                .onFailure(e -> !database.home() && !isStepError(e) && !(e instanceof FlotillaException)
                        && !(e instanceof SteppedAside))
                .transform(e -> unavailable(database, e)));
    }

    /**
     * {@link #migrate(MigrationTenant, MigrationCatalog, Target, boolean, UUID, boolean)} on the caller's connection. The
     * schema lock is taken here too; a caller that already holds it on this connection keeps it (session advisory
     * locks stack, and this run releases only its own hold), so its work and this run are one locked stretch.
     */
    public Uni<ApplyResult> migrate(SqlConnection conn, TenantDatabase database, MigrationTenant company,
                                    MigrationCatalog catalog, Target target, boolean allowDrift, UUID runId,
                                    boolean lookUpTenantValues) {
        return migrate(conn, database, company, catalog, target, allowDrift, runId, lookUpTenantValues,
                LockPolicy.Overrides.NONE, LockPauses.KEEP);
    }

    private Uni<ApplyResult> migrate(SqlConnection conn, TenantDatabase database, MigrationTenant company,
                                     MigrationCatalog catalog, Target target, boolean allowDrift, UUID runId,
                                     boolean lookUpTenantValues, LockPolicy.Overrides lockStrategy, LockPauses pauses) {
        if (!company.migratable()) {
            return Uni.createFrom().failure(company.notMigratable());
        }
        String schema = company.schemaName();
        // The history is read in the lock's round trip; PostgreSQL runs it after the lock is taken.
        return locks.lockSchema(conn, schema, config.execution().lockWait(), () -> read(conn, company))
                .flatMap(locked -> {
                    if (!locked.schemaExists()) {
                        return Uni.createFrom().<ApplyResult>failure(company.schemaMissing());
                    }
                    return settle(conn, company, locked.read())
                            .flatMap(read -> {
                                MigrationPlanner.Plan plan = MigrationPlanner.planFromHistory(schema, catalog,
                                        read.history(), read.repeatables(), target);
                                plan.stepsOrThrow(allowDrift);
                                return lookup.lookUp(conn, schema, lookUpTenantValues
                                                ? TemplateValues.toLookUp(company, plan.scripts()) : java.util.Set.of())
                                        .map(looked -> render(company, plan, looked));
                            })
                            .flatMap(plan -> runFrom(conn, new StepContext(company, runId, target.direction(),
                                    database.name(), database.home(), lockStrategy, pauses), plan, 0,
                                    new ArrayList<>()))
                            .call(result -> copyToHome(conn, database, company, runId))
                            // The steps before the one that stepped aside are committed: home gets them now too.
                            .onFailure(SteppedAside.class)
                            .call(e -> copyToHome(conn, database, company, runId));
                })
                .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull());
    }

    /**
     * The company's history, read under its lock. A step still "running" there was left by a dead process (we hold
     * the lock): it is closed as interrupted and the history read again. Rare, so it costs nothing usually.
     */
    private Uni<Read> settle(SqlConnection conn, MigrationTenant company, Read read) {
        return read.running()
                ? ledger.closeInterrupted(conn, company.id()).flatMap(n -> read(conn, company))
                : Uni.createFrom().item(read);
    }

    /** Both reads pipelined on the connection: one round trip. */
    private Uni<Read> read(SqlConnection conn, MigrationTenant company) {
        return Uni.combine().all().unis(ledger.history(conn, company.id()), ledger.repeatables(conn, company.id()))
                .asTuple().map(both -> new Read(both.getItem1(), both.getItem2()));
    }

    /**
     * Renders every step before the first runs, so an unresolved placeholder fails with nothing done: the plan's
     * migrations, then its repeatables.
     */
    static List<PlannedStep> render(MigrationTenant company, MigrationPlanner.Plan plan, Map<String, String> looked) {
        List<PlannedStep> steps = new ArrayList<>();
        for (Migration m : plan.steps()) {
            MigrationScript script = MigrationPlanner.script(m, plan.target().direction());
            steps.add(new PlannedStep(m.version(), m.name(), script, render(company, script, looked)));
        }
        for (Repeatable r : plan.repeatables()) {
            steps.add(new PlannedStep(null, r.name(), r.script(), render(company, r.script(), looked)));
        }
        return steps;
    }

    private static String render(MigrationTenant company, MigrationScript script, Map<String, String> looked) {
        return TemplateValues.render(company, script, TemplateValues.resolve(company, script, looked));
    }

    /**
     * What every step of one run shares: whose, which run and direction, on which server (and whether it is home,
     * where the fleet's shapes are kept), under what lock strategy, and what the caller does with its slot while a
     * step pauses between lock attempts.
     */
    private record StepContext(MigrationTenant company, UUID runId, Direction direction, String server, boolean home,
                               LockPolicy.Overrides locks, LockPauses pauses) {
    }

    private Uni<ApplyResult> runFrom(SqlConnection conn, StepContext context, List<PlannedStep> plan, int index,
                                     List<PlannedStep> done) {
        MigrationTenant company = context.company();
        UUID runId = context.runId();
        Direction direction = context.direction();
        if (index == plan.size()) {
            return Uni.createFrom().item(result(runId, company, direction, done, List.of(), null));
        }
        PlannedStep step = plan.get(index);
        // The fleet's shape is recomputed once per run, by the last step (or a failure's record), not by every step.
        boolean shapeLater = context.home() && index < plan.size() - 1;
        return apply(conn, context, step, shapeLater)
                .onFailure(SteppedAside.class)
                .transform(e -> ((SteppedAside) e).afterSteps(done.size()))
                .flatMap(failure -> {
            if (failure != null) {
                return Uni.createFrom().item(result(runId, company, direction, done, plan.subList(index, plan.size()),
                        failure));
            }
            done.add(step);
            return runFrom(conn, context, plan, index + 1, done);
        });
    }

    /** Versions and repeatables apart: an answer's version lists hold versions only. */
    private static ApplyResult result(UUID runId, MigrationTenant company, Direction direction, List<PlannedStep> done,
                                      List<PlannedStep> left, ApplyResult.StepFailure failure) {
        return new ApplyResult(runId, company.id(), company.schemaName(), direction,
                done.stream().filter(s -> !s.repeatable()).map(PlannedStep::label).toList(),
                left.stream().filter(s -> !s.repeatable()).map(PlannedStep::label).toList(),
                done.stream().filter(PlannedStep::repeatable).map(PlannedStep::name).toList(), failure);
    }

    /**
     * One step, recorded in the ledger. Null item on success, the failure otherwise. With {@code shapeLater}, a
     * transactional step leaves the company's shape to a later step of the run ({@link Shapes#later}).
     */
    private Uni<ApplyResult.StepFailure> apply(SqlConnection conn, StepContext context, PlannedStep step,
                                               boolean shapeLater) {
        MigrationTenant company = context.company();
        UUID runId = context.runId();
        Direction direction = context.direction();
        MigrationScript script = step.script();
        LockPolicy policy = policyFor(script, context.locks());
        LockTally tally = new LockTally(context.server(), context.pauses());
        tally.carryOn(context.pauses().carriedOver());
        StepStart start = new StepStart(runId, company.id(), company.schemaName(), step.version(), step.name(), script,
                direction, executedBy);
        OffsetDateTime startedAt = OffsetDateTime.now();
        long began = System.nanoTime();
        // A non-transactional step has a running row from the start; its failure closes that row.
        AtomicLong runningRow = new AtomicLong(-1);
        // Migration and ledger row in one transaction: applied exactly when recorded.
        // The record is built per attempt: the successful one says how many it took and who blocked the others.
        Uni<Long> work = run(conn, company.schemaName(), script, step.sql(), policy, tally,
                () -> shapeLater
                        ? Uni.combine().all().unis(Shapes.later(conn, company.id()), ledger.recordInTransaction(conn,
                                start, StepStatus.successOf(direction), attempts(tally))).asTuple().map(t -> t.getItem2())
                        : ledger.recordInTransaction(conn, start, StepStatus.successOf(direction), attempts(tally)),
                () -> ledger.start(conn, start).invoke(runningRow::set),
                () -> ledger.finish(conn, runningRow.get(), StepStatus.successOf(direction), millisSince(began), null,
                                attempts(tally))
                        .map(ok -> runningRow.get()));
        return work.map(id -> {
            record(direction, "succeeded", began);
            logStep(direction, company, script, StepStatus.successOf(direction).value(), began, null);
            return (ApplyResult.StepFailure) null;
        }).onFailure(SchemaMigrator::isStepError).recoverWithUni(e -> {
            if (!script.transactional() && runningRow.get() < 0) {
                return Uni.createFrom().failure(e); // the ledger refused the running row: nothing ran
            }
            StepError error = stepError(e);
            record(direction, "failed", began);
            logStep(direction, company, script, "failed", began, error);
            LockAttempts locks = attempts(tally);
            Uni<Long> recorded = script.transactional()
                    ? ledger.recordFailure(conn, start, startedAt, millisSince(began), error, locks)
                    : ledger.finish(conn, runningRow.get(), StepStatus.FAILED, millisSince(began), error, locks)
                            .replaceWith(runningRow.get());
            return recorded.map(id -> new ApplyResult.StepFailure(step.label(), script.file(), id,
                    error.message(), error.sqlState(), error.position(), locks.attempts(), locks.blocker()));
        });
    }

    /**
     * How every step's script runs: a transactional one in its own transaction with {@code inTransaction} (the
     * ledger row) pipelined into it, any other statement by statement between {@code before} and {@code after}.
     */
    private <T> Uni<T> run(SqlConnection conn, String schema, MigrationScript script, String sql, LockPolicy policy,
                           LockTally tally, Supplier<Uni<T>> inTransaction, Supplier<Uni<?>> before,
                           Supplier<Uni<T>> after) {
        return script.transactional()
                ? executor.runAndCommit(conn, schema, sql, script.extensions(), policy, tally, inTransaction)
                : executor.runWithoutTransaction(conn, schema, sql, script.extensions(), policy, tally, before, after);
    }

    private static LockAttempts attempts(LockTally tally) {
        return new LockAttempts(tally.attempts(), tally.blockerText());
    }

    /**
     * A server's steps commit with its own ledger; the home ledger gets them right after, still under the schema's
     * lock. A failed copy is only logged: the periodic reconciliation makes it, nothing is lost or doubled.
     */
    private Uni<LedgerCopy.Copied> copyToHome(SqlConnection conn, TenantDatabase database, MigrationTenant company,
                                              UUID runId) {
        if (database.home()) {
            return Uni.createFrom().nullItem();
        }
        if (config.fault().haltBeforeLedgerCopy()) {
            haltBeforeCopy(database, company, runId);
        }
        return copy.copyRun(conn, database.name(), company.id(), runId).onFailure().recoverWithItem(e -> {
            Log.warnf("Steps of run %s on %s (server %s) not copied to the home ledger yet: %s; the reconciliation"
                    + " copies them", runId, company.schemaName(), database.name(), e.getMessage());
            return null;
        });
    }

    /**
     * The test hook {@link FlotillaConfig.Fault#haltBeforeLedgerCopy()}: dies as a SIGKILL would, between the server's
     * commit and the copy. One line goes to stderr first (flushed by hand, as halt flushes nothing) so a test can tell
     * this exit from any other.
     */
    private static void haltBeforeCopy(TenantDatabase database, MigrationTenant company, UUID runId) {
        System.err.println("FAULT halt-before-ledger-copy: halting after run " + runId + " on " + company.schemaName()
                + " (server " + database.name() + ") committed, before its copy to the home ledger");
        System.err.flush();
        Runtime.getRuntime().halt(137);
    }

    /** A server that cannot be reached (or stops answering): the company waits for it, nothing failed. */
    public static FlotillaException unavailable(TenantDatabase database, Throwable cause) {
        return new FlotillaException(ErrorCode.SERVER_UNAVAILABLE, "PostgreSQL server '" + database.name()
                + "' cannot be reached: " + cause.getMessage(), java.util.Map.of("server", database.name()), cause);
    }

    /**
     * One rendered script run as a step is, with the ledger left out: for scratch schemas (lint, verification),
     * which show what migrations build and belong to no tenant. Null item on success, the PostgreSQL error
     * otherwise; a broken connection fails the Uni.
     */
    public Uni<StepError> applyUnrecorded(SqlConnection conn, String schema, MigrationScript script, String sql) {
        Supplier<Uni<Void>> nothing = () -> Uni.createFrom().voidItem();
        return run(conn, schema, script, sql, LockPolicy.UNBOUNDED, null, nothing, nothing::get, nothing)
                .map(ok -> (StepError) null)
                .onFailure(SchemaMigrator::isStepError).recoverWithItem(SchemaMigrator::stepError);
    }

    /** SQL errors are the migration's failure; a broken connection is not, and propagates. */
    public static boolean isStepError(Throwable e) {
        return e instanceof PgException || e instanceof TenantExecutor.StatementFailure
                || e instanceof LockTimedOut;
    }

    /** The PostgreSQL error of a failed script, its position relative to the script as the user wrote it. */
    public static StepError stepError(Throwable e) {
        if (e instanceof LockTimedOut timedOut) {
            // Budget spent: what the step waited for and who held it, not where in the script it stood.
            PgException pg = TenantExecutor.pgError(timedOut);
            return new StepError(timedOut.getMessage() + " (last attempt: " + pg.getErrorMessage() + ")",
                    pg.getSqlState(), null);
        }
        PgException pg = TenantExecutor.pgError(e);
        int offset = e instanceof TenantExecutor.StatementFailure sf ? sf.offset() : 0;
        Integer position = null;
        if (pg.getPosition() != null && !pg.getPosition().isBlank()) {
            int at = Integer.parseInt(pg.getPosition().trim()) + offset;
            position = at >= 1 ? at : null;
        }
        StringBuilder message = new StringBuilder(String.valueOf(pg.getErrorMessage()));
        if (pg.getDetail() != null) {
            message.append(" (detail: ").append(pg.getDetail()).append(')');
        }
        if (pg.getHint() != null) {
            message.append(" (hint: ").append(pg.getHint()).append(')');
        }
        return new StepError(message.toString(), pg.getSqlState(), position);
    }

    private void record(Direction direction, String outcome, long began) {
        // Looked up once per direction and outcome, not built and registered again for every step.
        timers.computeIfAbsent(direction.value() + "/" + outcome, key -> Timer.builder("flotilla.migration.step")
                        .description("Time to run one migration step on one schema")
                        .tag("direction", direction.value()).tag("outcome", outcome)
                        // A few fixed buckets (not a full histogram): enough for a dashboard's quantiles and tail.
                        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(250),
                                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5))
                        .register(metrics))
                .record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    }

    private void logStep(Direction direction, MigrationTenant company, MigrationScript script, String outcome, long began,
                         StepError error) {
        String message = "%s %s on %s: %s in %d ms%s";
        Object[] args = {direction.value(), script.file(), company.schemaName(), outcome, millisSince(began),
                error == null ? "" : " [" + error.sqlState() + "] " + error.message()};
        if (error != null) {
            Log.warnf(message, args);
        } else if (config.execution().logMigrations()) {
            Log.infof(message, args);
        } else {
            Log.debugf(message, args);
        }
    }

    private static long millisSince(long began) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
