package io.flotilla.execution;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.Direction;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.LedgerRepository.StepError;
import io.flotilla.ledger.LedgerRepository.StepStart;
import io.flotilla.ledger.VersionHistory;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.TenantRules;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Brings one tenant schema up to the catalog: takes the schema's advisory lock on one pooled connection, reads
 * the ledger once, renders every pending script (so an unresolved placeholder fails before any SQL runs), then
 * applies them in version order, one transaction each, stopping at the first failure.
 */
@ApplicationScoped
public class SchemaMigrator {

    private final Pool pool;
    private final TenantExecutor executor;
    private final LedgerRepository ledger;
    private final FlotillaConfig config;
    private final MeterRegistry metrics;
    private final String executedBy;

    public SchemaMigrator(Pool pool, TenantExecutor executor, LedgerRepository ledger, FlotillaConfig config,
                          MeterRegistry metrics) {
        this.pool = pool;
        this.executor = executor;
        this.ledger = ledger;
        this.config = config;
        this.metrics = metrics;
        this.executedBy = config.execution().instanceName().orElseGet(SchemaMigrator::hostName);
    }

    /** A pending migration with its script rendered for this company. */
    record PlannedStep(Migration migration, MigrationScript script, String sql) {
    }

    public Uni<ApplyResult> migrate(Company company, MigrationCatalog catalog, boolean allowDrift) {
        if (!company.migratable()) {
            return Uni.createFrom().failure(new FlotillaException(ErrorCode.COMPANY_NOT_ACTIVE, "Company '"
                    + company.companyName() + "' is " + (company.deletedAt() != null ? "deleted" : company.status().value())
                    + "; only active companies are migrated", Map.of("companyId", company.id())));
        }
        String schema = company.schemaName();
        UUID runId = UUID.randomUUID();
        return pool.withConnection(conn -> executor.lock(conn, schema, config.execution().lockWait())
                .flatMap(locked -> ledger.closeInterrupted(conn, company.id())
                        .flatMap(closed -> ledger.history(conn, company.id()))
                        .flatMap(history -> executor.schemaExists(conn, schema)
                                .flatMap(exists -> {
                                    if (!exists) {
                                        throw new FlotillaException(ErrorCode.SCHEMA_MISSING, "Schema '" + schema
                                                + "' of company '" + company.companyName() + "' does not exist",
                                                Map.of("companyId", company.id(), "schemaName", schema));
                                    }
                                    List<PlannedStep> plan = plan(company, catalog, history, allowDrift);
                                    return runFrom(conn, company, runId, plan, 0, new ArrayList<>());
                                }))
                        .eventually(() -> executor.unlock(conn, schema).onFailure().recoverWithNull())));
    }

    /** Pending versions in order, rendered; refuses drifted schemas and unresolved placeholders up front. */
    List<PlannedStep> plan(Company company, MigrationCatalog catalog, Map<Version, VersionHistory> history,
                           boolean allowDrift) {
        List<String> drifted = catalog.migrations().stream()
                .filter(m -> history.containsKey(m.version()) && history.get(m.version()).applied()
                        && !history.get(m.version()).settled().checksum().equals(m.checksum()))
                .map(m -> m.version().toString()).toList();
        if (!drifted.isEmpty() && !allowDrift) {
            throw new FlotillaException(ErrorCode.DRIFT_DETECTED, "Schema '" + company.schemaName()
                    + "' has versions " + String.join(", ", drifted) + " applied from files that have changed since;"
                    + " restore the files or pass allowDrift=true", Map.of("versions", drifted));
        }
        List<PlannedStep> plan = new ArrayList<>();
        for (Migration m : catalog.migrations()) {
            VersionHistory h = history.get(m.version());
            if (h == null || !h.applied()) {
                plan.add(new PlannedStep(m, m.up(), render(company, m.up())));
            }
        }
        return plan;
    }

    /** Template values: the company's settings, else the file's declared defaults; {@code ${schema}} quoted. */
    static String render(Company company, MigrationScript script) {
        Map<String, String> values = new TreeMap<>(script.defaults());
        company.settings().forEach((k, v) -> values.put(k, TenantRules.settingText(v)));
        List<String> missing = script.placeholderNames().stream().filter(n -> !values.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new FlotillaException(ErrorCode.UNRESOLVED_PLACEHOLDER, script.file() + " uses "
                    + missing.stream().map(n -> "${" + n + "}").collect(Collectors.joining(", "))
                    + ", which neither company '" + company.companyName() + "' settings nor the file's"
                    + " '-- flotilla:default' lines define; nothing was run",
                    Map.of("placeholders", missing, "script", script.file()));
        }
        values.put(MigrationScript.SCHEMA, TenantExecutor.quoteIdent(company.schemaName()));
        return script.render(values::get);
    }

    private Uni<ApplyResult> runFrom(SqlConnection conn, Company company, UUID runId, List<PlannedStep> plan,
                                     int index, List<String> applied) {
        if (index == plan.size()) {
            return Uni.createFrom().item(new ApplyResult(runId, company.id(), company.schemaName(),
                    List.copyOf(applied), List.of(), null));
        }
        PlannedStep step = plan.get(index);
        return apply(conn, company, runId, step).flatMap(failure -> {
            if (failure != null) {
                List<String> pending = plan.subList(index, plan.size()).stream()
                        .map(s -> s.migration().version().toString()).toList();
                return Uni.createFrom().item(new ApplyResult(runId, company.id(), company.schemaName(),
                        List.copyOf(applied), pending, failure));
            }
            applied.add(step.migration().version().toString());
            return runFrom(conn, company, runId, plan, index + 1, applied);
        });
    }

    /** One step: ledger row, SQL, outcome. Null item on success, the failure otherwise. */
    private Uni<ApplyResult.StepFailure> apply(SqlConnection conn, Company company, UUID runId, PlannedStep step) {
        Migration m = step.migration();
        MigrationScript script = step.script();
        StepStart start = new StepStart(runId, company.id(), company.schemaName(), m.version(), m.name(), script,
                Direction.UP, executedBy);
        return ledger.start(conn, start).flatMap(id -> {
            long began = System.nanoTime();
            Uni<Void> work = script.transactional()
                    ? conn.begin().flatMap(tx -> executor.runInTransaction(conn, company.schemaName(), step.sql())
                            .flatMap(ok -> ledger.succeed(conn, id, Direction.UP.success(), millisSince(began)))
                            .call(tx::commit)
                            .onFailure().call(() -> tx.rollback().onFailure().recoverWithNull()))
                    : executor.runWithoutTransaction(conn, company.schemaName(), step.sql())
                            .flatMap(ok -> ledger.succeed(conn, id, Direction.UP.success(), millisSince(began)));
            return work.map(ok -> {
                record(Direction.UP, "applied", began);
                logStep(company, script, "applied", began, null);
                return (ApplyResult.StepFailure) null;
            }).onFailure(SchemaMigrator::isStepError).recoverWithUni(e -> {
                StepError error = stepError(e);
                record(Direction.UP, "failed", began);
                logStep(company, script, "failed", began, error);
                return ledger.fail(conn, id, millisSince(began), error).map(ok -> new ApplyResult.StepFailure(
                        m.version().toString(), script.file(), id, error.message(), error.sqlState(),
                        error.position()));
            });
        });
    }

    /** SQL errors are the migration's failure; a broken connection is not, and propagates. */
    private static boolean isStepError(Throwable e) {
        return e instanceof PgException || e instanceof TenantExecutor.StatementFailure;
    }

    static StepError stepError(Throwable e) {
        PgException pg = e instanceof TenantExecutor.StatementFailure sf ? sf.error() : (PgException) e;
        int offset = e instanceof TenantExecutor.StatementFailure sf ? sf.offset() : 0;
        Integer position = null;
        if (pg.getPosition() != null && !pg.getPosition().isBlank()) {
            position = Integer.parseInt(pg.getPosition().trim()) + offset;
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
        Timer.builder("flotilla.migration.step").description("Time to run one migration step on one schema")
                .tag("direction", direction.value()).tag("outcome", outcome)
                .register(metrics).record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    }

    private void logStep(Company company, MigrationScript script, String outcome, long began, StepError error) {
        String message = "%s %s on %s: %s in %d ms%s";
        Object[] args = {Direction.UP.value(), script.file(), company.schemaName(), outcome, millisSince(began),
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
