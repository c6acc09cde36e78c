package io.flotilla.verification;

import java.util.List;

/**
 * What the lint found in the whole catalog.
 *
 * @param ok                no violations (waived ones don't count) and the catalog built
 * @param tables            the tables the catalog builds
 * @param materializedViews the materialized views it builds; the table rules don't apply to them
 * @param violations        broken rules, in version order
 * @param waived            broken rules a {@code -- flotilla:lint-waive} directive waives
 * @param failure           the migration the scratch schema could not be built past, or null; table rules are
 *                          only checked on a complete build
 */
public record LintReport(boolean ok, List<String> tables, List<String> materializedViews,
                         List<LintViolation> violations, List<LintViolation> waived, BuildFailure failure) {
}
