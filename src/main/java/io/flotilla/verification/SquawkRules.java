package io.flotilla.verification;

import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.Migration;
import io.flotilla.sql.SqlScript;
import io.flotilla.verification.SqlStatement.Kind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.flotilla.verification.SqlStatement.is;

/**
 * Squawk's rules (https://squawkhq.com), under Squawk's names: statements that take a long lock on a table that
 * already holds rows, lose data, or will bite later. Whether a table "already holds rows" is not guessed from the
 * text: it is a table the scratch build's catalog held before this migration ran (a table created in the same file
 * is empty, so adding a foreign key or a unique constraint to it is harmless).
 */
final class SquawkRules {

    private static final Set<String> SERIAL_TYPES = Set.of("smallserial", "serial", "bigserial", "serial2", "serial4",
            "serial8");
    /** Zero-argument functions a DEFAULT may call without forcing a rewrite (PostgreSQL stores their value once). */
    private static final Set<String> NON_VOLATILE_CALLS = Set.of("now", "transaction_timestamp", "statement_timestamp",
            "current_timestamp", "current_date", "localtimestamp", "current_user", "current_schema", "pi");
    /** Words that end a column's DEFAULT expression. */
    private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of("NOT", "NULL", "CONSTRAINT", "CHECK",
            "REFERENCES", "UNIQUE", "PRIMARY", "GENERATED", "COLLATE", "DEFERRABLE", "INITIALLY");
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private SquawkRules() {
    }

    /** A finding before the migration, the level and the waivers are applied. */
    record Finding(LintRule rule, String table, int line, String message) {
    }

    /**
     * @param existing relations (name → relkind) in the scratch schema before this migration ran: tables
     *                 ({@code r}, {@code p}), materialized views ({@code m}), indexes ({@code i}, {@code I})
     */
    static List<LintViolation> check(Migration migration, String sql, String schema, Map<String, String> existing) {
        return findings(sql, schema, existing, migration.up().transactional()).stream()
                .map(f -> new LintViolation(f.rule(), f.rule().defaultLevel(), f.table(),
                        migration.version().toString(), migration.up().file(), f.line(), f.message(), null))
                .toList();
    }

    static List<Finding> findings(String sql, String schema, Map<String, String> existing, boolean transactional) {
        List<Finding> found = new ArrayList<>();
        Set<String> notValid = new HashSet<>(); // constraints this file adds NOT VALID
        for (SqlScript.Statement s : SqlScript.statements(sql)) {
            SqlStatement st = SqlStatement.classify(s.text(), s.line(), schema);
            new Check(st, existing, transactional, notValid, found).run();
        }
        return found;
    }

    private record Check(SqlStatement st, Map<String, String> existing, boolean transactional, Set<String> notValid,
                         List<Finding> found) {

        void add(LintRule rule, String table, String message) {
            found.add(new Finding(rule, table, st.line(), message));
        }

        boolean existingTable(String name) {
            String kind = existing.get(name);
            return "r".equals(kind) || "p".equals(kind);
        }

        void run() {
            List<String> t = st.tokens();
            String target = st.targets().isEmpty() ? null : st.targets().get(0);
            switch (st.kind()) {
                case ALTER_TABLE -> alterTable(target);
                case CREATE_TABLE -> {
                    if (target != null) {
                        st.columns().forEach(c -> types(target, c, 0));
                    }
                    robust(!containsSequence(t, "IF", "NOT", "EXISTS"), target,
                            "CREATE TABLE " + target + " without IF NOT EXISTS");
                }
                case CREATE_INDEX -> robust(!containsSequence(t, "IF", "NOT", "EXISTS"), target,
                        "CREATE INDEX on " + target + " without IF NOT EXISTS");
                case DROP_INDEX -> {
                    boolean concurrently = is(t, 2, "CONCURRENTLY");
                    for (String index : st.targets()) {
                        String kind = existing.get(index);
                        if (!concurrently && ("i".equals(kind) || "I".equals(kind))) {
                            add(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION, null, "DROP INDEX " + index
                                    + " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, blocking"
                                    + " reads and writes while it runs");
                        }
                    }
                    robust(!containsSequence(t, "IF", "EXISTS"), null, "DROP INDEX without IF EXISTS");
                }
                case DROP_TABLE -> {
                    st.targets().stream().filter(this::existingTable).forEach(table -> add(LintRule.BAN_DROP_TABLE,
                            table, "DROP TABLE " + table + " deletes every tenant's rows of a table an earlier"
                                    + " migration created, and breaks code still reading it"));
                    robust(!containsSequence(t, "IF", "EXISTS"), target, "DROP TABLE without IF EXISTS");
                }
                case DROP_DATABASE -> add(LintRule.BAN_DROP_DATABASE, null,
                        "DROP DATABASE in a migration deletes a whole database");
                case TRUNCATE -> {
                    if (st.has("CASCADE")) {
                        add(LintRule.BAN_TRUNCATE_CASCADE, target, "TRUNCATE … CASCADE also empties every table"
                                + " with a foreign key to " + String.join(", ", st.targets())
                                + ", and the tables referencing those, recursively");
                    }
                }
                case CREATE_DOMAIN -> {
                    if (st.has("CHECK") || st.has("CONSTRAINT")) {
                        add(LintRule.BAN_CREATE_DOMAIN_WITH_CONSTRAINT, null, "a domain with a constraint: changing"
                                + " the constraint later checks every column of the domain under locks, and columns"
                                + " of a domain hide their checks from the table");
                    }
                }
                case ALTER_DOMAIN -> {
                    if (containsSequence(t, "ADD", "CONSTRAINT") || containsSequence(t, "ADD", "CHECK")) {
                        add(LintRule.BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT, null, "ALTER DOMAIN … ADD CONSTRAINT"
                                + " checks every column of that type in every table, under locks");
                    }
                }
                default -> {
                }
            }
            identifiers(t);
        }

        void alterTable(String table) {
            if (table == null) {
                return;
            }
            boolean existed = existingTable(table);
            for (List<String> action : st.actions()) {
                String first = action.isEmpty() ? "" : action.get(0).toUpperCase(Locale.ROOT);
                switch (first) {
                    case "ADD" -> add(table, existed, action);
                    case "ALTER" -> alterColumn(table, existed, action);
                    case "DROP" -> {
                        if (is(action, 1, "CONSTRAINT")) {
                            robust(!is(action, 2, "IF"), table, "DROP CONSTRAINT without IF EXISTS");
                        } else if (!is(action, 1, "DEFAULT") && !is(action, 1, "EXPRESSION")) {
                            int at = SqlStatement.skip(action, 1 + (is(action, 1, "COLUMN") ? 1 : 0), "IF", "EXISTS");
                            if (existed && at < action.size()) {
                                add(LintRule.BAN_DROP_COLUMN, table, "ALTER TABLE " + table + " DROP COLUMN "
                                        + SqlScript.identifier(action.get(at)) + " deletes every tenant's values of"
                                        + " it, and code still reading the column breaks");
                            }
                            robust(!containsSequence(action, "IF", "EXISTS"), table, "DROP COLUMN without IF EXISTS");
                        }
                    }
                    case "RENAME" -> {
                        if (!existed) {
                            continue;
                        }
                        if (is(action, 1, "TO")) {
                            add(LintRule.RENAMING_TABLE, table, "renaming table " + table + " breaks code still"
                                    + " using the old name until every tenant and every running instance has moved");
                        } else if (!is(action, 1, "CONSTRAINT")) {
                            int at = 1 + (is(action, 1, "COLUMN") ? 1 : 0);
                            add(LintRule.RENAMING_COLUMN, table, "renaming column "
                                    + (at < action.size() ? SqlScript.identifier(action.get(at)) : "") + " of " + table
                                    + " breaks code still using the old name");
                        }
                    }
                    case "VALIDATE" -> {
                        String name = action.size() > 2 ? SqlScript.identifier(action.get(2)) : "";
                        if (transactional && notValid.contains(name)) {
                            add(LintRule.CONSTRAINT_MISSING_NOT_VALID, table, "constraint " + name + " is added"
                                    + " NOT VALID and validated in the same transaction: the ACCESS EXCLUSIVE lock"
                                    + " taken by the ADD is held through the whole validation scan");
                        }
                    }
                    default -> {
                    }
                }
            }
        }

        void add(String table, boolean existed, List<String> action) {
            int i = 1;
            boolean constraint = i < action.size()
                    && SqlStatement.CONSTRAINT_WORDS.contains(action.get(i).toUpperCase(Locale.ROOT));
            if (constraint) {
                String name = is(action, 1, "CONSTRAINT") && action.size() > 2 ? SqlScript.identifier(action.get(2))
                        : null;
                int kind = is(action, 1, "CONSTRAINT") ? 3 : 1;
                boolean notValidHere = containsSequence(action, "NOT", "VALID");
                if (notValidHere && name != null) {
                    notValid.add(name);
                }
                if (!existed) {
                    return;
                }
                boolean usingIndex = containsSequence(action, "USING", "INDEX");
                if (is(action, kind, "FOREIGN") && !notValidHere) {
                    add(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT, table, "a foreign key added to " + table
                            + " without NOT VALID checks every row while it locks both tables against writes");
                } else if (is(action, kind, "CHECK") && !notValidHere) {
                    add(LintRule.CONSTRAINT_MISSING_NOT_VALID, table, "a CHECK constraint added to " + table
                            + " without NOT VALID scans every row under an ACCESS EXCLUSIVE lock");
                } else if (is(action, kind, "UNIQUE") && !usingIndex) {
                    add(LintRule.DISALLOWED_UNIQUE_CONSTRAINT, table, "a UNIQUE constraint added to " + table
                            + " builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes");
                } else if (is(action, kind, "PRIMARY") && !usingIndex) {
                    add(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD, table, "a primary key added to " + table
                            + " builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes");
                }
                return;
            }
            i += is(action, i, "COLUMN") ? 1 : 0;
            boolean ifNotExists = is(action, i, "IF");
            i = SqlStatement.skip(action, i, "IF", "NOT", "EXISTS");
            if (i + 1 >= action.size()) {
                return;
            }
            List<String> column = action.subList(i, action.size());
            String name = SqlScript.identifier(column.get(0));
            types(table, column, 0);
            robust(!ifNotExists, table, "ADD COLUMN " + name + " without IF NOT EXISTS");
            if (!existed) {
                return;
            }
            if (top(column, "REFERENCES")) {
                add(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT, table, "column " + name + " added to " + table
                        + " with REFERENCES: the foreign key locks both tables against writes");
            }
            if (top(column, "UNIQUE")) {
                add(LintRule.DISALLOWED_UNIQUE_CONSTRAINT, table, "column " + name + " added to " + table
                        + " as UNIQUE builds its index under an ACCESS EXCLUSIVE lock");
            }
            if (top(column, "PRIMARY")) {
                add(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD, table, "column " + name + " added to " + table
                        + " as PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock");
            }
            String rewrite = rewrite(column);
            if (rewrite != null) {
                add(LintRule.ADDING_FIELD_WITH_DEFAULT, table, "column " + name + " added to " + table + " " + rewrite
                        + ": PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock");
            }
        }

        void alterColumn(String table, boolean existed, List<String> action) {
            int i = 1 + (is(action, 1, "COLUMN") ? 1 : 0);
            if (!existed || i >= action.size()) {
                return;
            }
            String column = SqlScript.identifier(action.get(i));
            if (is(action, i + 1, "TYPE") || is(action, i + 1, "SET") && is(action, i + 2, "DATA")) {
                add(LintRule.CHANGING_COLUMN_TYPE, table, "changing the type of " + table + "." + column
                        + " may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock, and breaks code"
                        + " expecting the old type");
            } else if (is(action, i + 1, "SET") && is(action, i + 2, "NOT") && is(action, i + 3, "NULL")) {
                add(LintRule.ADDING_NOT_NULLABLE_FIELD, table, "SET NOT NULL on " + table + "." + column
                        + " scans the whole table under an ACCESS EXCLUSIVE lock");
            } else if (is(action, i + 1, "DROP") && is(action, i + 2, "NOT") && is(action, i + 3, "NULL")) {
                add(LintRule.BAN_DROP_NOT_NULL, table, "DROP NOT NULL on " + table + "." + column
                        + " lets NULLs in that code reading the column does not expect");
            }
        }

        /** The type rules on a column definition (name, type, …). */
        void types(String table, List<String> column, int at) {
            String name = SqlScript.identifier(column.get(at));
            String type = column.size() > at + 1 ? column.get(at + 1).toLowerCase(Locale.ROOT) : "";
            String next = column.size() > at + 2 ? column.get(at + 2).toLowerCase(Locale.ROOT) : "";
            String where = table + "." + name;
            if (SERIAL_TYPES.contains(type)) {
                add(LintRule.PREFER_IDENTITY, table, where + " is " + type + ": its sequence belongs to no one"
                        + " (grants, copies and dumps trip on it)");
            } else if (Set.of("int", "integer", "int4").contains(type)) {
                add(LintRule.PREFER_BIGINT_OVER_INT, table, where + " is " + type + ", which overflows at 2^31");
            } else if (Set.of("smallint", "int2").contains(type)) {
                add(LintRule.PREFER_BIGINT_OVER_SMALLINT, table, where + " is " + type + ", which overflows at 2^15");
            } else if (type.equals("varchar") && next.equals("(")
                    || (type.equals("character") || type.equals("char")) && next.equals("varying")
                    && is(column, at + 3, "(")) {
                add(LintRule.PREFER_TEXT_FIELD, table, where + " is varchar(n): changing n later takes an ACCESS"
                        + " EXCLUSIVE lock");
            } else if (Set.of("char", "character", "bpchar").contains(type)) {
                add(LintRule.BAN_CHAR_FIELD, table, where + " is " + type + ": it pads values with spaces");
            } else if (type.equals("timestamp")) {
                int k = at + 2;
                k = is(column, k, "(") ? SqlStatement.closing(column, k) + 1 : k;
                if (!(is(column, k, "WITH") && is(column, k + 1, "TIME"))) {
                    add(LintRule.PREFER_TIMESTAMPTZ, table, where + " is timestamp without time zone: its values"
                            + " mean different instants to sessions in different time zones");
                }
            }
        }

        /** In a file without a transaction a failed run is retried from the top: its statements must re-run. */
        void robust(boolean fragile, String table, String what) {
            if (!transactional && fragile) {
                add(LintRule.PREFER_ROBUST_STMTS, table, what + " in a file that runs without a transaction: if a"
                        + " later statement fails, re-running the file fails here");
            }
        }

        /** Every identifier longer than PostgreSQL keeps, once per statement. */
        void identifiers(List<String> t) {
            Set<String> seen = new LinkedHashSet<>();
            for (String lexeme : t) {
                if (!SqlStatement.isName(lexeme)) {
                    continue;
                }
                String raw = lexeme.startsWith("\"") ? lexeme.substring(1, lexeme.length() - 1).replace("\"\"", "\"")
                        : lexeme.toLowerCase(Locale.ROOT);
                if (raw.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES && seen.add(raw)) {
                    add(LintRule.IDENTIFIER_TOO_LONG, null, "identifier " + raw + " is longer than 63 bytes:"
                            + " PostgreSQL silently truncates it to " + SqlScript.identifier(lexeme));
                }
            }
        }
    }

    /**
     * Why adding this column rewrites the table, or null: a DEFAULT calling a function not known to be stable
     * (PostgreSQL stores a non-volatile default once, but must compute a volatile one per row), a generated
     * column, or a serial type (its default is nextval()).
     */
    static String rewrite(List<String> column) {
        String type = column.size() > 1 ? column.get(1).toLowerCase(Locale.ROOT) : "";
        if (SERIAL_TYPES.contains(type)) {
            return "as " + type + " (its default, nextval(), is volatile)";
        }
        if (top(column, "GENERATED")) {
            return "as GENERATED";
        }
        int depth = 0;
        for (int k = 1; k < column.size(); k++) {
            depth += is(column, k, "(") ? 1 : is(column, k, ")") ? -1 : 0;
            if (depth == 0 && is(column, k, "DEFAULT")) {
                String call = volatileCall(column, k + 1);
                return call == null ? null : "with DEFAULT calling " + call + "()";
            }
        }
        return null;
    }

    /** The first call in the expression from {@code from} of a function not known to be non-volatile, or null. */
    private static String volatileCall(List<String> t, int from) {
        int depth = 0;
        for (int k = from; k < t.size(); k++) {
            depth += is(t, k, "(") ? 1 : is(t, k, ")") ? -1 : 0;
            if (depth == 0 && COLUMN_CONSTRAINT_WORDS.contains(t.get(k).toUpperCase(Locale.ROOT))) {
                return null;
            }
            boolean cast = is(t, k - 1, ":") && is(t, k - 2, ":"); // ::numeric(10, 2) is a type, not a call
            if (!cast && SqlStatement.isName(t.get(k)) && is(t, k + 1, "(")) {
                String name = SqlScript.identifier(t.get(k));
                boolean noArguments = is(t, k + 2, ")");
                if (!(noArguments && NON_VOLATILE_CALLS.contains(name))) {
                    return name;
                }
            }
        }
        return null;
    }

    /** A keyword outside parentheses in a column definition. */
    private static boolean top(List<String> t, String word) {
        int depth = 0;
        for (int k = 0; k < t.size(); k++) {
            depth += is(t, k, "(") ? 1 : is(t, k, ")") ? -1 : 0;
            if (depth == 0 && is(t, k, word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsSequence(List<String> t, String... words) {
        for (int i = 0; i + words.length <= t.size(); i++) {
            if (SqlStatement.skip(t, i, words) != i) {
                return true;
            }
        }
        return false;
    }
}
