package io.flotilla.verification;

import io.flotilla.catalog.LintRule;

/**
 * One broken tenant-isolation rule.
 *
 * @param table   the table the rule is about
 * @param version the migration that created the table (table rules) or holds the statement (statement rules)
 * @param script  that migration's file
 */
public record LintViolation(LintRule rule, String table, String version, String script, String message) {
}
