package io.flotilla.verification;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * What the lint found in the whole catalog.
 *
 * @param ok                no error-level violations (waived ones and warnings don't count), the catalog built, and
 *                          no server lacks an extension the catalog requires
 * @param tables            the tables the catalog builds
 * @param materializedViews the materialized views it builds; the table rules don't apply to them
 * @param violations        broken rules at level {@code error}, in version order
 * @param warnings          broken rules at level {@code warning}, in version order: reported, {@code ok} stays
 * @param waived            broken rules a {@code -- flotilla:lint-waive} directive waives
 * @param satisfied         rules Flotilla itself meets, so no migration is asked to (Squawk's
 *                          {@code require-timeout-settings}: the runner's lock timeouts; {@code transaction-nesting}:
 *                          the catalog reader's refusal of transaction control)
 * @param failure           the migration the scratch schema could not be built past, or null; table rules are
 *                          only checked on a complete build
 * @param servers           the extension preflight: every server that is not offline, and which required extensions
 *                          each lacks
 */
public record LintReport(boolean ok, List<String> tables, List<String> materializedViews,
                         List<LintViolation> violations, List<LintViolation> warnings, List<LintViolation> waived,
                         List<SatisfiedRule> satisfied, @Schema(nullable = true) BuildFailure failure,
                         List<ServerExtensions> servers) {

    /** The rules the runner and the catalog reader meet, listed in every report. */
    static final List<SatisfiedRule> SATISFIED = List.of(
            new SatisfiedRule(LintGuide.TIMEOUT_RULE, "runner", LintGuide.TIMEOUT_SATISFIED),
            new SatisfiedRule(LintGuide.NESTING_RULE, "catalog", LintGuide.NESTING_SATISFIED));

    /** A report without warnings. */
    public LintReport(boolean ok, List<String> tables, List<String> materializedViews, List<LintViolation> violations,
                      List<LintViolation> waived, BuildFailure failure, List<ServerExtensions> servers) {
        this(ok, tables, materializedViews, violations, List.of(), waived, SATISFIED, failure, servers);
    }

    /** The same report with the extension preflight's answers; any server lacking one makes it not ok. */
    LintReport withServers(List<ServerExtensions> checked) {
        boolean missing = checked.stream().anyMatch(s -> !s.missing().isEmpty());
        return new LintReport(ok && !missing, tables, materializedViews, violations, warnings, waived, satisfied,
                failure, List.copyOf(checked));
    }
}
