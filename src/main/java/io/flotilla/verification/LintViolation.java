package io.flotilla.verification;

import io.flotilla.catalog.LintLevel;
import io.flotilla.catalog.LintRule;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One broken lint rule.
 *
 * @param level      how much it counts, from the catalog's {@code flotilla-lint.properties} or the rule's default:
 *                   {@code error} (the lint is not ok) or {@code warning}
 * @param table      the table the rule is about; null for a statement about no table ({@code DROP DATABASE}, …)
 * @param version    the migration that created the table (table rules) or holds the statement (statement rules)
 * @param script     that migration's file
 * @param line       the line of that file the statement starts on; null for table rules, which judge the end state
 * @param suggestion what to do instead
 */
public record LintViolation(LintRule rule, LintLevel level, @Schema(nullable = true) String table,
                            @Schema(nullable = true) String version, @Schema(nullable = true) String script,
                            @Schema(nullable = true) Integer line,
                            String message, @Schema(nullable = true) String suggestion) {

    /** A table rule's finding: at the rule's default level, no line, the rule's usual suggestion. */
    public LintViolation(LintRule rule, String table, String version, String script, String message) {
        this(rule, rule.defaultLevel(), table, version, script, null, message, null);
    }

    /** At the level the catalog sets, with the rule's usual suggestion when the finding has none of its own. */
    LintViolation judged(LintLevel at) {
        return new LintViolation(rule, at, table, version, script, line, message,
                suggestion == null ? LintGuide.suggestion(rule) : suggestion);
    }
}
