package io.flotilla.verification;

import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.Migration;
import io.flotilla.sql.SqlScript;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules about how a migration's statements treat tables that already hold data. Statements are read with the
 * catalog's lexer, so keywords in strings, comments and quoted names never count. "Existing" means created by an
 * earlier migration: a table created in the same file is empty when the statement runs.
 */
final class ScriptRules {

    /** What may follow {@code ADD} when it adds a constraint rather than a column. */
    private static final Set<String> CONSTRAINT_WORDS = Set.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN",
            "EXCLUDE");
    /** Types that bring their own default (a sequence). */
    private static final Set<String> SERIAL_TYPES = Set.of("smallserial", "serial", "bigserial", "serial2", "serial4",
            "serial8");

    private ScriptRules() {
    }

    /**
     * @param sql      the script as sent to the scratch schema
     * @param schema   the scratch schema: a name qualified with another schema is not a tenant table
     * @param existing relations (name → relkind) in the scratch schema before this migration ran
     */
    static List<LintViolation> check(Migration migration, String sql, String schema, Map<String, String> existing) {
        List<LintViolation> found = new ArrayList<>();
        for (SqlScript.Statement statement : SqlScript.statements(sql)) {
            List<String> t = SqlScript.lexemes(statement.text());
            int line = statement.line();
            indexWithoutConcurrently(t, schema, existing).ifPresent(table -> found.add(violation(
                    LintRule.CREATE_INDEX_CONCURRENTLY, table, migration, line, "CREATE INDEX on table " + table
                            + ", which an earlier migration created, blocks its writes until the index is built;"
                            + " use CREATE INDEX CONCURRENTLY (it makes the migration non-transactional)")));
            String table = alteredTable(t, schema, existing);
            if (table != null) {
                for (String column : notNullColumnsWithoutDefault(t)) {
                    found.add(violation(LintRule.ADD_COLUMN_NOT_NULL_DEFAULT, table, migration, line, "ALTER TABLE "
                            + table + " ADD COLUMN " + column + " … NOT NULL has no DEFAULT: it fails as soon as"
                            + " the table has a row; add a DEFAULT, or add the column nullable, backfill, then"
                            + " SET NOT NULL"));
                }
            }
        }
        return found;
    }

    /**
     * The existing table a {@code CREATE [UNIQUE] INDEX} without {@code CONCURRENTLY} builds on. {@code ON ONLY}
     * a partitioned table is the way to index one (CONCURRENTLY is refused there), so it passes.
     */
    static Optional<String> indexWithoutConcurrently(List<String> t, String schema, Map<String, String> existing) {
        int i = is(t, 1, "UNIQUE") ? 2 : 1;
        if (!is(t, 0, "CREATE") || !is(t, i, "INDEX") || is(t, i + 1, "CONCURRENTLY")) {
            return Optional.empty();
        }
        while (i < t.size() && !is(t, i, "ON")) {
            i++;
        }
        boolean only = is(t, ++i, "ONLY");
        Optional<String> table = table(t, only ? i + 1 : i, schema).filter(n -> isTable(existing, n));
        return only && table.map(existing::get).filter("p"::equals).isPresent() ? Optional.empty() : table;
    }

    /** The existing tenant table an {@code ALTER TABLE} changes, or null. */
    static String alteredTable(List<String> t, String schema, Map<String, String> existing) {
        if (!is(t, 0, "ALTER") || !is(t, 1, "TABLE")) {
            return null;
        }
        int i = 2 + (is(t, 2, "IF") && is(t, 3, "EXISTS") ? 2 : 0);
        i += is(t, i, "ONLY") ? 1 : 0;
        return table(t, i, schema).filter(n -> isTable(existing, n)).orElse(null);
    }

    /** Columns an {@code ALTER TABLE} adds as NOT NULL (or PRIMARY KEY) with nothing to fill existing rows. */
    static List<String> notNullColumnsWithoutDefault(List<String> t) {
        List<String> columns = new ArrayList<>();
        for (List<String> action : actions(t)) {
            int j = is(action, 0, "ADD") ? 1 : -1;
            if (j < 0 || j < action.size() && CONSTRAINT_WORDS.contains(action.get(j).toUpperCase(Locale.ROOT))) {
                continue;
            }
            j += is(action, j, "COLUMN") ? 1 : 0;
            j += is(action, j, "IF") && is(action, j + 1, "NOT") && is(action, j + 2, "EXISTS") ? 3 : 0;
            if (j + 1 >= action.size()) {
                continue;
            }
            boolean notNull = false;
            boolean filled = SERIAL_TYPES.contains(action.get(j + 1).toLowerCase(Locale.ROOT));
            int depth = 0;
            for (int k = j + 1; k < action.size(); k++) {
                depth += is(action, k, "(") ? 1 : is(action, k, ")") ? -1 : 0;
                if (depth == 0) { // words inside CHECK (…) or a type's (…) say nothing about the column
                    notNull |= is(action, k, "NOT") && is(action, k + 1, "NULL") || is(action, k, "PRIMARY");
                    filled |= is(action, k, "DEFAULT") || is(action, k, "GENERATED");
                }
            }
            if (notNull && !filled) {
                columns.add(SqlScript.identifier(action.get(j)));
            }
        }
        return columns;
    }

    /** An ALTER TABLE's actions: what follows the table name, split on top-level commas. */
    private static List<List<String>> actions(List<String> t) {
        int i = 2 + (is(t, 2, "IF") && is(t, 3, "EXISTS") ? 2 : 0);
        i += is(t, i, "ONLY") ? 1 : 0;
        i += is(t, i + 1, ".") ? 3 : 1;
        i += is(t, i, "*") ? 1 : 0;
        List<List<String>> actions = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int depth = 0;
        for (; i < t.size(); i++) {
            depth += is(t, i, "(") ? 1 : is(t, i, ")") ? -1 : 0;
            if (depth == 0 && is(t, i, ",")) {
                actions.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t.get(i));
            }
        }
        actions.add(current);
        return actions;
    }

    /** The table named at {@code i} ({@code t} or {@code s.t}); empty when qualified with another schema. */
    private static Optional<String> table(List<String> t, int i, String schema) {
        if (i >= t.size()) {
            return Optional.empty();
        }
        if (is(t, i + 1, ".")) {
            return i + 2 < t.size() && SqlScript.identifier(t.get(i)).equals(schema)
                    ? Optional.of(SqlScript.identifier(t.get(i + 2))) : Optional.empty();
        }
        return Optional.of(SqlScript.identifier(t.get(i)));
    }

    /** A table or materialized view, not an index: the relations map holds those too. */
    private static boolean isTable(Map<String, String> existing, String name) {
        String kind = existing.get(name);
        return kind != null && !kind.equalsIgnoreCase("i");
    }

    /** A keyword or symbol; strings and quoted names start with a quote, so they never match. */
    private static boolean is(List<String> t, int i, String word) {
        return i >= 0 && i < t.size() && t.get(i).equalsIgnoreCase(word);
    }

    private static LintViolation violation(LintRule rule, String table, Migration migration, int line, String message) {
        return new LintViolation(rule, rule.defaultLevel(), table, migration.version().toString(),
                migration.up().file(), line, message, null);
    }
}
