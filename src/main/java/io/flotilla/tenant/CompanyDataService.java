package io.flotilla.tenant;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Seeds;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerRepository.StepError;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.lock.LockTally;
import io.flotilla.lock.LockTimedOut;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.migration.TemplateRepository;
import io.flotilla.migration.TemplateValues;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantExecutor;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.flotilla.sql.Detached.detached;

/**
 * The two operations that replace what is in a company's schema: seeding it with test data, and resetting it to an
 * empty, freshly migrated schema. Both run under the schema's advisory lock, on active companies only, and refuse a
 * company whose settings mark it production unless forced.
 */
@ApplicationScoped
public class CompanyDataService {

    /** What a seed did: the files applied, in order, and how long their transaction took. */
    public record Seeded(Company company, List<String> files, long durationMs) {
    }

    /** What a reset did: the versions dropped with the schema (recorded as rolled back), then the re-apply run. */
    public record Reset(Company company, List<String> droppedVersions, ApplyResult apply) {
    }

    /** The ledger's {@code script} on the rows a reset writes: no file ran, the schema was dropped. */
    public static final String RESET_SCRIPT = "reset: schema dropped";

    private final ServerPools servers;
    private final CompanyService companies;
    private final TenantExecutor executor;
    private final AdvisoryLocks locks;
    private final TemplateRepository lookup;
    private final SchemaMigrator migrator;
    private final LedgerRepository ledger;
    private final RolloutHolds rollouts;
    private final CatalogService catalog;
    private final FlotillaConfig config;

    public CompanyDataService(ServerPools servers, CompanyService companies, TenantExecutor executor, AdvisoryLocks locks,
                              TemplateRepository lookup, SchemaMigrator migrator,
                              LedgerRepository ledger, RolloutHolds rollouts, CatalogService catalog,
                              FlotillaConfig config) {
        this.servers = servers;
        this.companies = companies;
        this.executor = executor;
        this.locks = locks;
        this.lookup = lookup;
        this.migrator = migrator;
        this.ledger = ledger;
        this.rollouts = rollouts;
        this.catalog = catalog;
        this.config = config;
    }

    /** Applies the catalog's seeds ({@code MIGRATIONS_DIR/seeds/*.sql}). */
    public Uni<Seeded> seed(UUID id, boolean force) {
        return seed(id, force, Seeds.directory(config.catalog().dir()));
    }

    /**
     * Applies every seed file of {@code directory} to the company's schema, in file-name order, in one transaction
     * under the schema's lock, rendered with the placeholders migrations get. A failing file rolls all of them back.
     */
    public Uni<Seeded> seed(UUID id, boolean force, Path directory) {
        return companies.get(id).flatMap(company -> {
            refuseUnlessAllowed(company, force, "Seeding");
            // Files are read on a worker thread: never block the event loop on the disk.
            return Uni.createFrom().item(() -> Seeds.read(directory, config.catalog().placeholders()))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .flatMap(seeds -> seed(company, seeds));
        });
    }

    private Uni<Seeded> seed(Company company, List<MigrationScript> seeds) {
        List<String> files = seeds.stream().map(MigrationScript::file).toList();
        String schema = company.schemaName();
        return detached(servers.forWork(company.server()).flatMap(database -> database.withConnection(conn -> locks.lockSchema(conn, schema, config.execution().lockWait())
                    .flatMap(exists -> {
                        if (!exists) {
                            return Uni.createFrom().<Long>failure(company.schemaMissing());
                        }
                        long began = System.nanoTime();
                        // Every file is rendered before the first runs: an unresolved placeholder runs nothing.
                        return lookup.lookUp(conn, schema, TemplateValues.toLookUp(company, seeds))
                                .map(looked -> seeds.stream().map(seed -> TemplateValues.render(company, seed,
                                        TemplateValues.resolve(company, seed, looked))).toList())
                                // As migration steps: short lock timeouts, retried within the budget.
                                .flatMap(sql -> executor.runAllAndCommit(conn, schema, sql,
                                        SchemaMigrator.configuredPolicy(config), new LockTally(database.name())))
                                .onFailure(TenantExecutor.ScriptFailure.class)
                                .transform(e -> seedFailed(company, files, (TenantExecutor.ScriptFailure) e, e))
                                .onFailure(e -> e instanceof LockTimedOut
                                        && e.getCause() instanceof TenantExecutor.ScriptFailure)
                                .transform(e -> seedFailed(company, files, (TenantExecutor.ScriptFailure) e.getCause(), e))
                                .map(x -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                    })
                    .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull()))))
                .invoke(ms -> Log.infof("Seeded schema %s of company %s with %s in %d ms", schema, company.id(), files, ms))
                .map(ms -> new Seeded(company, files, ms));
    }

    /**
     * Drops the company's schema and creates it empty, recording every applied version as rolled back in the same
     * transaction, then applies every migration again, all under one hold of the schema's lock (nothing sees the
     * empty schema in between). {@code confirm} must be the schema name, typed out. A failing re-apply leaves the
     * reset done and is in {@link Reset#apply()}, as for onboarding.
     */
    public Uni<Reset> reset(UUID id, String confirm, boolean force) {
        if (confirm == null || confirm.isEmpty()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "confirm is required: the company's schema name, typed out, to say which schema to drop");
        }
        return companies.get(id).flatMap(company -> {
            if (!confirm.equals(company.schemaName())) {
                throw new FlotillaException(ErrorCode.CONFIRMATION_MISMATCH, "confirm must be exactly the schema name of"
                        + " company '" + company.companyName() + "'; nothing was changed", Map.of("companyId", company.id()));
            }
            refuseUnlessAllowed(company, force, "Resetting");
            // Checked before the lock, so that a rollout in flight on the schema is named rather than waited for.
            // One that starts after this waits for the lock, and finds the schema reset and migrated.
            return rollouts.activeRolloutOf(company.id()).flatMap(rolloutId -> {
                if (rolloutId != null) {
                    throw new FlotillaException(ErrorCode.COMPANY_IN_ROLLOUT, "Company '" + company.companyName()
                            + "' is in unfinished rollout " + rolloutId + "; cancel it or let it finish, then reset",
                            Map.of("companyId", company.id(), "rolloutId", rolloutId));
                }
                return detached(resetLocked(company));
            });
        });
    }

    private Uni<Reset> resetLocked(Company company) {
        String schema = company.schemaName();
        UUID runId = UUID.randomUUID();
        return servers.forWork(company.server()).flatMap(database -> database.withConnection(conn -> locks.lockSchema(conn, schema, config.execution().lockWait())
                .flatMap(exists -> {
                    if (!exists) {
                        return Uni.createFrom().<Reset>failure(company.schemaMissing());
                    }
                    return executor.recreateSchema(conn, schema, config.execution().lockWait(), () -> ledger.recordSchemaDropped(conn, runId,
                                    company.id(), schema, RESET_SCRIPT, migrator.executedBy()))
                            .invoke(dropped -> Log.infof("Reset schema %s of company %s (run %s): dropped versions %s",
                                    schema, company.id(), runId, dropped))
                            // Same run id: the ledger shows the drop and the re-apply as one run.
                            .flatMap(dropped -> migrator.migrate(conn, database, company, catalog.catalog(),
                                    Target.latest(), false, runId, true).map(apply -> new Reset(company, dropped, apply)));
                })
                .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull())));
    }

    /** Work that replaces a schema's data: only on companies that are migrated, and on production ones only forced. */
    private static void refuseUnlessAllowed(Company company, boolean force, String what) {
        if (!company.migratable()) {
            throw company.notMigratable();
        }
        if (company.production() && !force) {
            throw new FlotillaException(ErrorCode.PRODUCTION_COMPANY, "Company '" + company.companyName()
                    + "' is marked production in its settings; " + what + " its schema needs force=true",
                    Map.of("companyId", company.id(), "schemaName", company.schemaName()));
        }
    }

    /** {@code whole}: the script failure itself, or the lock timeout that ended its last attempt. */
    private static FlotillaException seedFailed(Company company, List<String> files, TenantExecutor.ScriptFailure e,
                                                Throwable whole) {
        StepError error = SchemaMigrator.stepError(whole instanceof LockTimedOut ? whole : e.failure());
        String file = e.index() >= 0 ? files.get(e.index()) : null;
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("companyId", company.id());
        ext.put("schemaName", company.schemaName());
        if (file != null) { // null: the COMMIT failed (a deferred constraint), no one file did
            ext.put("file", file);
        }
        ext.put("error", error.message());
        ext.put("sqlState", error.sqlState());
        if (error.position() != null) {
            ext.put("position", error.position());
        }
        return new FlotillaException(ErrorCode.SEED_FAILED, "Seed " + (file == null ? "COMMIT" : file)
                + " failed on schema " + company.schemaName() + ": [" + error.sqlState() + "] " + error.message()
                + "; every seed file was rolled back", ext, whole);
    }
}
