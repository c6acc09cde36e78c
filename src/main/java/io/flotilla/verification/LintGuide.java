package io.flotilla.verification;

import io.flotilla.catalog.LintRule;

import java.util.EnumMap;
import java.util.Map;

/** What to do instead of breaking each lint rule: the suggestion every finding carries. */
final class LintGuide {

    /** Squawk's require-timeout-settings: met by the runner, never asked of a migration. */
    static final String TIMEOUT_RULE = "require-timeout-settings";
    static final String TIMEOUT_SATISFIED = "Flotilla's runner sets a lock_timeout on every step it runs and retries"
            + " a step that timed out waiting for a lock, so a migration need not SET lock_timeout or"
            + " statement_timeout itself";

    /** Squawk's transaction-nesting: met by the catalog reader, which refuses what the rule would flag. */
    static final String NESTING_RULE = "transaction-nesting";
    static final String NESTING_SATISFIED = "the catalog refuses to load a file Flotilla runs in a transaction that"
            + " has BEGIN, COMMIT, ROLLBACK or the like in its middle, and takes off a wrap of the whole file, so no"
            + " such statement reaches a step";

    private static final Map<LintRule, String> SUGGESTIONS = new EnumMap<>(LintRule.class);

    static {
        put(LintRule.TENANT_ID_NOT_NULL, "add tenant_id uuid NOT NULL");
        put(LintRule.TENANT_INDEX, "add an index (or primary key) leading with tenant_id");
        put(LintRule.RLS_ENABLED, "ALTER TABLE … ENABLE ROW LEVEL SECURITY");
        put(LintRule.HAS_POLICY, "CREATE POLICY … USING (tenant_id = current_setting('app.tenant_id')::uuid)");
        put(LintRule.CREATE_INDEX_CONCURRENTLY, "CREATE INDEX CONCURRENTLY, in a file of its own (it runs without a"
                + " transaction)");
        put(LintRule.ADD_COLUMN_NOT_NULL_DEFAULT, "add a non-volatile DEFAULT, or add the column nullable, backfill,"
                + " then SET NOT NULL");
        put(LintRule.CHANGING_COLUMN_TYPE, "add a column of the new type, backfill it, switch readers, then drop the"
                + " old one");
        put(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT, "ADD CONSTRAINT … FOREIGN KEY … NOT VALID here, then ALTER TABLE …"
                + " VALIDATE CONSTRAINT … in the next migration");
        put(LintRule.CONSTRAINT_MISSING_NOT_VALID, "ADD CONSTRAINT … NOT VALID here, then ALTER TABLE … VALIDATE"
                + " CONSTRAINT … in the next migration");
        put(LintRule.DISALLOWED_UNIQUE_CONSTRAINT, "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT …"
                + " UNIQUE USING INDEX …");
        put(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD, "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT …"
                + " PRIMARY KEY USING INDEX …");
        put(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION, "DROP INDEX CONCURRENTLY IF EXISTS, in a file of its own");
        put(LintRule.ADDING_NOT_NULLABLE_FIELD, "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in"
                + " the next migration, then SET NOT NULL (no scan) and drop the check");
        put(LintRule.ADDING_FIELD_WITH_DEFAULT, "add the column nullable with a constant or no default, backfill in"
                + " batches, then SET DEFAULT");
        put(LintRule.RENAMING_COLUMN, "add the new column, write both, backfill, move readers, then drop the old one");
        put(LintRule.RENAMING_TABLE, "create the new table (or a view under the old name), move readers, then drop"
                + " the old one");
        put(LintRule.BAN_DROP_COLUMN, "stop using the column first; drop it in a later release, or waive with a"
                + " reason");
        put(LintRule.BAN_DROP_TABLE, "stop using the table first; drop it in a later release, or waive with a"
                + " reason");
        put(LintRule.BAN_DROP_NOT_NULL, "make sure every reader handles NULL first");
        put(LintRule.BAN_DROP_DATABASE, "never drop databases from a tenant migration");
        put(LintRule.BAN_TRUNCATE_CASCADE, "TRUNCATE the tables you mean, by name, without CASCADE");
        put(LintRule.BAN_CREATE_DOMAIN_WITH_CONSTRAINT, "put the CHECK on the table's columns instead");
        put(LintRule.BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT, "put the CHECK on the table's columns (NOT VALID, then"
                + " VALIDATE) instead");
        put(LintRule.IDENTIFIER_TOO_LONG, "use a name of at most 63 bytes");
        put(LintRule.PREFER_ROBUST_STMTS, "use IF NOT EXISTS / IF EXISTS so the file can be re-run after a failure");
        put(LintRule.PREFER_IDENTITY, "bigint GENERATED ALWAYS AS IDENTITY");
        put(LintRule.PREFER_BIGINT_OVER_INT, "bigint");
        put(LintRule.PREFER_BIGINT_OVER_SMALLINT, "bigint");
        put(LintRule.PREFER_TEXT_FIELD, "text with CHECK (length(col) <= n)");
        put(LintRule.BAN_CHAR_FIELD, "text (or varchar without a length)");
        put(LintRule.PREFER_TIMESTAMPTZ, "timestamptz");
    }

    private LintGuide() {
    }

    private static void put(LintRule rule, String suggestion) {
        SUGGESTIONS.put(rule, suggestion);
    }

    static String suggestion(LintRule rule) {
        return SUGGESTIONS.get(rule);
    }
}
