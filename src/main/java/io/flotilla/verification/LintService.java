package io.flotilla.verification;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.LintLevel;
import io.flotilla.catalog.LintLevels;
import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.TemplateValues;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.verification.ScratchBuilder.Build;
import io.flotilla.verification.ScratchBuilder.Ran;
import io.flotilla.verification.ScratchBuilder.Step;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static io.flotilla.sql.Detached.detached;

/**
 * Lints a catalog: builds every migration, with its files' default template values, into a scratch schema, then
 * checks each table it built for tenant isolation (tenant_id, an index on it, row-level security, a policy) and each
 * migration's statements against the relations earlier migrations created (Flotilla's statement rules and Squawk's),
 * each finding at the level the catalog's {@code flotilla-lint.properties} gives its rule; then asks every server
 * that is not offline whether it offers the extensions the catalog requires. The report is data, never an error.
 */
@ApplicationScoped
public class LintService {

    private final CatalogService catalogService;
    private final ScratchBuilder builder;
    private final Supplier<Multi<TenantDatabase>> servers;
    private final String extensionSchema;

    @Inject
    public LintService(CatalogService catalogService, ScratchBuilder builder, ServerPools pools,
                       TenantExecutor executor) {
        this(catalogService, builder, pools::notOffline, executor.extensionSchema());
    }

    /**
     * Outside the container (the command line's {@code lint --dir}): the servers the extension preflight asks are
     * given rather than read from the registry, and there is no service catalog ({@code catalogService} may be null
     * when only {@link #lint(MigrationCatalog)} is called).
     */
    public LintService(CatalogService catalogService, ScratchBuilder builder, Supplier<Multi<TenantDatabase>> servers,
                       String extensionSchema) {
        this.catalogService = catalogService;
        this.builder = builder;
        this.servers = servers;
        this.extensionSchema = extensionSchema;
    }

    /** The service's catalog. */
    public Uni<LintReport> lint() {
        return lint(catalogService.catalog());
    }

    public Uni<LintReport> lint(MigrationCatalog catalog) {
        List<Step> steps = new ArrayList<>();
        for (Migration m : catalog.migrations()) {
            try {
                steps.add(new Step(m, TemplateValues.defaults(m.up())));
            } catch (FlotillaException e) {
                if (e.code() != ErrorCode.UNRESOLVED_PLACEHOLDER) {
                    throw e;
                }
                return extensions(catalog).map(checked -> new LintReport(false, List.of(), List.of(), List.of(),
                        List.of(), List.of(), LintReport.SATISFIED, BuildFailure.unrendered(m, e.getMessage()),
                        List.of()).withServers(checked));
            }
        }
        return detached(builder.build(steps, true)).map(build -> report(catalog, build))
                .flatMap(report -> extensions(catalog).map(report::withServers));
    }

    /**
     * Every server that is not offline, asked once for the catalog's required extensions it lacks and for the
     * extensions its migrations create that live outside the shared schema; one that cannot be reached is reported
     * with the error, not failed (a rollout checks it again before running anything there).
     */
    Uni<List<ServerExtensions>> extensions(MigrationCatalog catalog) {
        Set<String> required = new TreeSet<>();
        Set<String> created = new TreeSet<>();
        catalog.migrations().forEach(m -> {
            required.addAll(m.requires());
            m.up().extensions().forEach(e -> created.add(e.name()));
        });
        if (required.isEmpty() && created.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.of(required.toArray(String[]::new), created.toArray(String[]::new), extensionSchema);
        return servers.get()
                .onItem().transformToUniAndConcatenate(db -> db.pool()
                        .preparedQuery("SELECT ARRAY(SELECT r FROM unnest($1::text[]) r"
                                + " WHERE r NOT IN (SELECT name FROM pg_available_extensions) ORDER BY r),"
                                + " ARRAY(SELECT e.extname FROM pg_extension e"
                                + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ANY($2)"
                                + " AND n.nspname NOT IN ($3, 'pg_catalog') ORDER BY 1),"
                                + " ARRAY(SELECT n.nspname::text FROM pg_extension e"
                                + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ANY($2)"
                                + " AND n.nspname NOT IN ($3, 'pg_catalog') ORDER BY e.extname)")
                        .execute(params)
                        .map(rows -> {
                            Row row = rows.iterator().next();
                            Map<String, String> misplaced = new TreeMap<>();
                            String[] names = row.getArrayOfStrings(1);
                            String[] schemas = row.getArrayOfStrings(2);
                            for (int i = 0; i < names.length; i++) {
                                misplaced.put(names[i], schemas[i]);
                            }
                            return new ServerExtensions(db.name(), List.of(row.getArrayOfStrings(0)),
                                    Collections.unmodifiableMap(misplaced), null);
                        })
                        .onFailure().recoverWithItem(e -> new ServerExtensions(db.name(), List.of(), Map.of(),
                                e.getMessage())))
                .collect().asList();
    }

    static LintReport report(MigrationCatalog catalog, Build build) {
        List<LintViolation> found = new ArrayList<>();
        Map<String, Migration> createdBy = new HashMap<>();
        List<Ran> ran = build.ran();
        for (int i = 0; i < ran.size(); i++) {
            Ran step = ran.get(i);
            found.addAll(ScriptRules.check(step.migration(), step.sql(), build.schema(), step.relationsBefore()));
            found.addAll(SquawkRules.check(step.migration(), step.sql(), build.schema(), step.relationsBefore()));
            Set<String> after = i + 1 < ran.size() ? ran.get(i + 1).relationsBefore().keySet() : built(build);
            // A name new after this step is this migration's (the last one to make it, if it was made again).
            after.stream().filter(name -> !step.relationsBefore().containsKey(name))
                    .forEach(name -> createdBy.put(name, step.migration()));
        }
        SchemaSnapshot result = build.result();
        if (result != null) {
            result.tables().forEach(table -> found.addAll(TableRules.check(table, createdBy.get(table.name()))));
        }
        found.sort(Comparator.comparing((LintViolation v) -> v.version() == null ? null : Version.parse(v.version()),
                Comparator.nullsLast(Comparator.naturalOrder())));

        Map<String, Set<LintRule>> waivers = waivers(catalog);
        LintLevels levels = catalog.lintLevels();
        List<LintViolation> violations = new ArrayList<>();
        List<LintViolation> warnings = new ArrayList<>();
        List<LintViolation> waived = new ArrayList<>();
        for (LintViolation v : found) {
            LintLevel level = levels.level(v.rule());
            if (level == LintLevel.OFF) {
                continue;
            }
            LintViolation judged = v.judged(level);
            (waivers.getOrDefault(v.table(), Set.of()).contains(v.rule()) ? waived
                    : level == LintLevel.ERROR ? violations : warnings).add(judged);
        }
        return new LintReport(violations.isEmpty() && build.failure() == null,
                result == null ? List.of() : result.tableNames(),
                result == null ? List.of() : result.materializedViews(), violations, warnings, waived,
                LintReport.SATISFIED, build.failure(), List.of());
    }

    private static Set<String> built(Build build) {
        Set<String> names = new HashSet<>();
        if (build.result() != null) {
            names.addAll(build.result().tableNames());
            names.addAll(build.result().materializedViews());
        }
        return names;
    }

    /** A waiver holds for its table across the catalog: table rules judge the end state, not one file. */
    static Map<String, Set<LintRule>> waivers(MigrationCatalog catalog) {
        Map<String, Set<LintRule>> all = new HashMap<>();
        for (Migration m : catalog.migrations()) {
            m.up().lintWaivers().forEach((table, rules) -> all.computeIfAbsent(table, t -> new HashSet<>()).addAll(rules));
        }
        return all;
    }
}
