package io.flotilla.rollout;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.AppliedShape;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.migration.MigrationPlanner;
import io.flotilla.migration.TemplateRepository;
import io.flotilla.migration.TemplateValues;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns a rollout request into a plan before anything runs: which companies, which versions, in which wave.
 * Reads companies and migration_state once for the whole fleet, then refuses the plan as a whole when a file
 * drifted, a rollback file is missing or the server lacks a required extension.
 */
@ApplicationScoped
public class RolloutPlanner {

    /** Schemas asked at once when a dry run shows values the tenant's own data decides. */
    private static final int LOOKUP_CONCURRENCY = 4;

    private final CompanyRepository companies;
    private final LedgerRepository ledger;
    private final CatalogService catalogService;
    private final TemplateRepository lookup;
    /** Where the tenant schemas live: the extension check asks each company's server, not the control plane's. */
    private final ServerPools servers;

    public RolloutPlanner(CompanyRepository companies, LedgerRepository ledger, CatalogService catalogService,
                          TemplateRepository lookup, ServerPools servers) {
        this.companies = companies;
        this.ledger = ledger;
        this.catalogService = catalogService;
        this.lookup = lookup;
        this.servers = servers;
    }

    public Uni<RolloutPlan> plan(RolloutSpec spec, boolean withTemplateValues) {
        return plan(spec, catalogService.catalog(), withTemplateValues);
    }

    /** Plans against a given catalog (the service's, or one under test). */
    public Uni<RolloutPlan> plan(RolloutSpec spec, MigrationCatalog catalog, boolean withTemplateValues) {
        return companies.findAll(spec.companyIds().isEmpty() ? null : spec.companyIds())
                .map(found -> checkSelection(spec, found))
                .flatMap(targets -> ledger.shapes(targets.stream().map(Company::id).toList())
                        .map(applied -> steps(spec, catalog, targets, applied)))
                .flatMap(steps -> preflight(steps).replaceWith(steps))
                .flatMap(steps -> withTemplateValues ? templateValues(steps) : Uni.createFrom().item(steps))
                .map(steps -> waves(spec, steps));
    }

    private List<Company> checkSelection(RolloutSpec spec, List<Company> found) {
        if (!spec.companyIds().isEmpty()) {
            Set<UUID> known = new HashSet<>(found.stream().map(Company::id).toList());
            List<String> unknown = spec.companyIds().stream().filter(id -> !known.contains(id)).map(UUID::toString).toList();
            if (!unknown.isEmpty()) {
                throw new FlotillaException(ErrorCode.COMPANY_NOT_FOUND, "No companies with ids " + String.join(", ", unknown),
                        Map.of("companyIds", unknown));
            }
            List<String> inactive = found.stream().filter(c -> !c.migratable()).map(c -> c.companyName()).toList();
            if (!inactive.isEmpty()) {
                throw new FlotillaException(ErrorCode.COMPANY_NOT_ACTIVE, "Only active companies are migrated; not active: "
                        + String.join(", ", inactive), Map.of("companies", inactive));
            }
        }
        return found;
    }

    /** One company's steps (migrations, then repeatables) with the scripts it will run. */
    record CompanySteps(Company company, List<Migration> migrations, List<Repeatable> repeatables,
                        List<MigrationScript> scripts, Map<String, String> values) {

        boolean hasWork() {
            return !migrations.isEmpty() || !repeatables.isEmpty();
        }
    }

    private List<CompanySteps> steps(RolloutSpec spec, MigrationCatalog catalog, List<Company> targets,
                                     Map<UUID, AppliedShape> applied) {
        MigrationPlanner.checkTarget(catalog, spec.target());
        List<CompanySteps> result = new ArrayList<>();
        Map<String, List<String>> drift = new TreeMap<>();
        List<String> rollbackProblems = new ArrayList<>();
        // Companies that applied the same versions share one map (LedgerRepository.applied reads them by shape), and
        // the plan depends on nothing else but the schema's name: planned once per shape, not 10,000 times.
        Map<AppliedShape, MigrationPlanner.Plan> byShape = new IdentityHashMap<>();
        for (Company company : targets) {
            MigrationPlanner.Plan plan = byShape.computeIfAbsent(applied.getOrDefault(company.id(), AppliedShape.NONE),
                    a -> MigrationPlanner.plan(company.schemaName(), catalog, a.versions(), a.repeatables(), spec.target()))
                    .forSchema(company.schemaName());
            plan.drifted().forEach(v -> drift.computeIfAbsent(v.toString(), x -> new ArrayList<>()).add(company.schemaName()));
            if (plan.rollbackPossible()) {
                result.add(new CompanySteps(company, plan.steps(), plan.repeatables(), plan.scripts(), Map.of()));
            } else {
                rollbackProblems.add(plan.rollbackRefusal().getMessage());
            }
        }
        if (!rollbackProblems.isEmpty()) {
            throw new FlotillaException(ErrorCode.ROLLBACK_MISSING, rollbackProblems.size() + " companies cannot be rolled back; "
                    + rollbackProblems.get(0) + (rollbackProblems.size() > 1 ? " (and others)" : "") + "; nothing was run",
                    Map.of("problems", rollbackProblems.subList(0, Math.min(20, rollbackProblems.size()))));
        }
        if (!drift.isEmpty() && !spec.allowDrift()) {
            Map<String, Object> ext = new LinkedHashMap<>();
            drift.forEach((v, schemas) -> ext.put(v, Map.of("companies", schemas.size(),
                    "examples", schemas.subList(0, Math.min(5, schemas.size())))));
            throw new FlotillaException(ErrorCode.DRIFT_DETECTED, "Versions " + String.join(", ", drift.keySet())
                    + " were applied from files that have changed since (see GET /api/v1/drift); restore the files or"
                    + " set allowDrift", Map.of("drift", ext));
        }
        return result;
    }

    /**
     * Every extension some planned script requires must be available on the server of each company that runs it, or
     * nothing runs. One question per server; a server that cannot be reached now is not asked (its companies wait for
     * it in the rollout, and a missing extension then fails them there, with PostgreSQL's error).
     */
    private Uni<Void> preflight(List<CompanySteps> steps) {
        Map<String, Set<String>> requiredByServer = new TreeMap<>();
        steps.forEach(s -> s.scripts().forEach(script -> {
            if (!script.requires().isEmpty()) {
                requiredByServer.computeIfAbsent(s.company().server(), x -> new LinkedHashSet<>()).addAll(script.requires());
            }
        }));
        return Multi.createFrom().iterable(requiredByServer.entrySet())
                .onItem().transformToUniAndConcatenate(e -> servers.database(e.getKey())
                        .flatMap(db -> preflight(db, e.getValue())
                                .onFailure(f -> !(f instanceof FlotillaException)).recoverWithItem(f -> {
                                    io.quarkus.logging.Log.warnf("Extension check skipped on server %s, which cannot be"
                                            + " reached: %s", db.name(), f.getMessage());
                                    return null;
                                })))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> preflight(TenantDatabase server, Set<String> required) {
        return server.pool().preparedQuery("SELECT ARRAY(SELECT r FROM unnest($1::text[]) r WHERE r NOT IN"
                        + " (SELECT name FROM pg_available_extensions)),"
                        + " coalesce(host(inet_server_addr()), 'local socket') || ':' || coalesce(inet_server_port(), 0)"
                        + " || ' (' || current_setting('server_version') || ')'")
                .execute(Tuple.of(required.toArray(String[]::new)))
                .map(rows -> {
                    var row = rows.iterator().next();
                    String[] missing = row.getArrayOfStrings(0);
                    if (missing.length > 0) {
                        throw new FlotillaException(ErrorCode.EXTENSION_MISSING, "The plan needs extension "
                                + String.join(", ", missing) + ", which PostgreSQL server " + row.getString(1)
                                + " (server '" + server.name() + "') does not offer (pg_available_extensions); install it"
                                + " there first. Nothing was run.",
                                Map.of("extensions", List.of(missing), "server", row.getString(1), "serverName", server.name()));
                    }
                    return null;
                });
    }

    /** For a dry run: the values each company's scripts would get, asking tenant schemas only when needed. */
    private Uni<List<CompanySteps>> templateValues(List<CompanySteps> steps) {
        return Multi.createFrom().iterable(steps)
                .onItem().transformToUni(s -> {
                    Set<String> lookUp = TemplateValues.toLookUp(s.company(), s.scripts());
                    Uni<Map<String, String>> looked = lookUp.isEmpty() ? Uni.createFrom().item(Map.of())
                            : servers.database(s.company().server())
                                    .flatMap(db -> lookup.lookUp(db.pool(), s.company().schemaName(), lookUp));
                    return looked.map(found -> {
                        Map<String, String> values = new TreeMap<>();
                        s.scripts().forEach(script -> values.putAll(TemplateValues.resolve(s.company(), script, found)));
                        return new CompanySteps(s.company(), s.migrations(), s.repeatables(), s.scripts(), values);
                    });
                }).merge(LOOKUP_CONCURRENCY)
                .collect().asList()
                .map(list -> {
                    // merge() completes out of order; keep the fleet's order.
                    Map<UUID, CompanySteps> byId = new HashMap<>();
                    list.forEach(s -> byId.put(s.company().id(), s));
                    return steps.stream().map(s -> byId.get(s.company().id())).toList();
                });
    }

    /** Canary first (named companies, or the first N with work), then waves of batchSize. */
    private RolloutPlan waves(RolloutSpec spec, List<CompanySteps> steps) {
        List<CompanySteps> work = steps.stream().filter(CompanySteps::hasWork).toList();
        List<Company> upToDate = steps.stream().filter(s -> !s.hasWork()).map(CompanySteps::company).toList();
        List<CompanySteps> canary = new ArrayList<>();
        List<CompanySteps> rest = new ArrayList<>();
        if (!spec.canaryIds().isEmpty()) {
            Set<UUID> ids = new HashSet<>(spec.canaryIds());
            work.forEach(s -> (ids.contains(s.company().id()) ? canary : rest).add(s));
        } else if (spec.strategy().canary() > 0) {
            // One company of every server first (a server's first company with work), then the next in order.
            Set<String> servers = new HashSet<>();
            Set<UUID> chosen = new HashSet<>();
            work.stream().filter(s -> servers.add(s.company().server())).forEach(s -> chosen.add(s.company().id()));
            for (CompanySteps s : work) {
                if (chosen.size() >= spec.strategy().canary()) {
                    break;
                }
                chosen.add(s.company().id());
            }
            work.forEach(s -> (chosen.contains(s.company().id()) ? canary : rest).add(s));
        } else {
            rest.addAll(work);
        }
        List<RolloutPlan.Entry> entries = new ArrayList<>();
        int wave = 0;
        int position = 0;
        for (CompanySteps s : canary) {
            entries.add(entry(s, wave, position++));
        }
        if (!canary.isEmpty()) {
            wave++;
        }
        Integer batchSize = spec.strategy().batchSize();
        int batch = batchSize == null ? Integer.MAX_VALUE : batchSize;
        for (int i = 0; i < rest.size(); i++) {
            if (i > 0 && i % batch == 0) {
                wave++;
            }
            entries.add(entry(rest.get(i), wave, position++));
        }
        return new RolloutPlan(spec.target(), entries, upToDate);
    }

    private static RolloutPlan.Entry entry(CompanySteps s, int wave, int position) {
        return new RolloutPlan.Entry(s.company(), wave, position,
                s.migrations().stream().map(Migration::version).toList(),
                s.repeatables().stream().map(Repeatable::name).toList(), s.values());
    }
}
