package io.flotilla.verification;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.TemplateValues;
import io.flotilla.verification.ScratchBuilder.Build;
import io.flotilla.verification.ScratchBuilder.Ran;
import io.flotilla.verification.ScratchBuilder.Step;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flotilla.sql.Detached.detached;

/**
 * Lints a catalog for tenant isolation: builds every migration, with its files' default template values, into a
 * scratch schema, then checks each table it built (tenant_id, an index on it, row-level security, a policy) and
 * each migration's statements against the tables earlier migrations created. The report is data, never an error.
 */
@ApplicationScoped
public class LintService {

    private final CatalogService catalogService;
    private final ScratchBuilder builder;

    public LintService(CatalogService catalogService, ScratchBuilder builder) {
        this.catalogService = catalogService;
        this.builder = builder;
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
                return Uni.createFrom().item(new LintReport(false, List.of(), List.of(), List.of(), List.of(),
                        BuildFailure.unrendered(m, e.getMessage())));
            }
        }
        return detached(builder.build(steps, true)).map(build -> report(catalog, build));
    }

    static LintReport report(MigrationCatalog catalog, Build build) {
        List<LintViolation> found = new ArrayList<>();
        Map<String, Migration> createdBy = new HashMap<>();
        List<Ran> ran = build.ran();
        for (int i = 0; i < ran.size(); i++) {
            Ran step = ran.get(i);
            found.addAll(ScriptRules.check(step.migration(), step.sql(), build.schema(), step.relationsBefore()));
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
        List<LintViolation> violations = new ArrayList<>();
        List<LintViolation> waived = new ArrayList<>();
        for (LintViolation v : found) {
            (waivers.getOrDefault(v.table(), Set.of()).contains(v.rule()) ? waived : violations).add(v);
        }
        return new LintReport(violations.isEmpty() && build.failure() == null,
                result == null ? List.of() : result.tableNames(),
                result == null ? List.of() : result.materializedViews(), violations, waived, build.failure());
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
