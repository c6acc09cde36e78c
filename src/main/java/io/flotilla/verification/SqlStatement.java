package io.flotilla.verification;

import io.flotilla.sql.SqlScript;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One statement of a migration, read just far enough to say what it does and to which objects: the small
 * classifier the statement rules build on. Tokens come from the catalog's lexer ({@link SqlScript#lexemes}), so a
 * keyword inside a string, a dollar-quoted body, a quoted name or a comment never counts.
 *
 * @param kind    what the statement is
 * @param tokens  its tokens
 * @param line    the line of the script it starts on
 * @param targets the tables (or indexes, for {@code DROP INDEX}) it names, as PostgreSQL stores the names; a name
 *                qualified with a schema other than the scratch schema is left out (not a tenant object)
 * @param body    index of the first token after the (first) target: an ALTER TABLE's actions, a CREATE TABLE's
 *                column list
 */
record SqlStatement(Kind kind, List<String> tokens, int line, List<String> targets, int body) {

    enum Kind {
        CREATE_TABLE, ALTER_TABLE, CREATE_INDEX, DROP_INDEX, DROP_TABLE, DROP_DATABASE, TRUNCATE, CREATE_DOMAIN,
        ALTER_DOMAIN, OTHER
    }

    /** Words that start a table constraint rather than a column in a column list or after {@code ADD}. */
    static final Set<String> CONSTRAINT_WORDS = Set.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN",
            "EXCLUDE", "LIKE");

    static SqlStatement classify(String sql, int line, String schema) {
        List<String> t = SqlScript.lexemes(sql);
        if (is(t, 0, "ALTER") && is(t, 1, "TABLE")) {
            int i = skip(t, 2, "IF", "EXISTS");
            i += is(t, i, "ONLY") ? 1 : 0;
            Name name = name(t, i, schema);
            int body = name.next + (is(t, name.next, "*") ? 1 : 0);
            return new SqlStatement(Kind.ALTER_TABLE, t, line, name.list(), body);
        }
        if (is(t, 0, "CREATE")) {
            int i = 1;
            i += is(t, i, "OR") && is(t, i + 1, "REPLACE") ? 2 : 0;
            i += is(t, i, "GLOBAL") || is(t, i, "LOCAL") ? 1 : 0;
            i += is(t, i, "TEMP") || is(t, i, "TEMPORARY") || is(t, i, "UNLOGGED") ? 1 : 0;
            if (is(t, i, "TABLE")) {
                Name name = name(t, skip(t, i + 1, "IF", "NOT", "EXISTS"), schema);
                return new SqlStatement(Kind.CREATE_TABLE, t, line, name.list(), name.next);
            }
            int index = is(t, 1, "UNIQUE") ? 2 : 1;
            if (is(t, index, "INDEX")) {
                int on = index;
                while (on < t.size() && !is(t, on, "ON")) {
                    on++;
                }
                on += is(t, on + 1, "ONLY") ? 2 : 1;
                Name table = name(t, on, schema);
                return new SqlStatement(Kind.CREATE_INDEX, t, line, table.list(), table.next);
            }
            if (is(t, 1, "DOMAIN")) {
                return new SqlStatement(Kind.CREATE_DOMAIN, t, line, List.of(), 2);
            }
        }
        if (is(t, 0, "ALTER") && is(t, 1, "DOMAIN")) {
            return new SqlStatement(Kind.ALTER_DOMAIN, t, line, List.of(), 2);
        }
        if (is(t, 0, "DROP") && (is(t, 1, "TABLE") || is(t, 1, "INDEX"))) {
            boolean index = is(t, 1, "INDEX");
            int i = 2 + (index && is(t, 2, "CONCURRENTLY") ? 1 : 0);
            return list(index ? Kind.DROP_INDEX : Kind.DROP_TABLE, t, line, skip(t, i, "IF", "EXISTS"), schema);
        }
        if (is(t, 0, "DROP") && is(t, 1, "DATABASE")) {
            return new SqlStatement(Kind.DROP_DATABASE, t, line, List.of(), 2);
        }
        if (is(t, 0, "TRUNCATE")) {
            int i = 1 + (is(t, 1, "TABLE") ? 1 : 0);
            return list(Kind.TRUNCATE, t, line, i + (is(t, i, "ONLY") ? 1 : 0), schema);
        }
        return new SqlStatement(Kind.OTHER, t, line, List.of(), 0);
    }

    /** A comma-separated list of names from {@code i} ({@code DROP TABLE a, b CASCADE}). */
    private static SqlStatement list(Kind kind, List<String> t, int line, int i, String schema) {
        List<String> names = new ArrayList<>();
        Name name = name(t, i, schema);
        names.addAll(name.list());
        int body = name.next;
        while (is(t, body, ",")) {
            name = name(t, body + 1, schema);
            names.addAll(name.list());
            body = name.next;
        }
        return new SqlStatement(kind, t, line, List.copyOf(names), body);
    }

    /** A name at {@code i}, {@code n} or {@code s.n}: null when another schema's, and the index after it. */
    private record Name(String name, int next) {
        List<String> list() {
            return name == null ? List.of() : List.of(name);
        }
    }

    private static Name name(List<String> t, int i, String schema) {
        if (i >= t.size() || !isName(t.get(i))) {
            return new Name(null, i);
        }
        if (is(t, i + 1, ".") && i + 2 < t.size()) {
            return new Name(SqlScript.identifier(t.get(i)).equals(schema) ? SqlScript.identifier(t.get(i + 2)) : null,
                    i + 3);
        }
        return new Name(SqlScript.identifier(t.get(i)), i + 1);
    }

    /** A word or a quoted name: not a string, a number or a symbol. */
    static boolean isName(String lexeme) {
        char c = lexeme.charAt(0);
        return c == '"' || c == '_' || c >= 0x80 || Character.isLetter(c) && !(lexeme.length() > 1
                && (c == 'E' || c == 'e') && lexeme.charAt(1) == '\'');
    }

    /** The tokens from {@link #body} on, split on commas outside parentheses: an ALTER TABLE's actions. */
    List<List<String>> actions() {
        return splitTopLevel(tokens, body, tokens.size());
    }

    /**
     * A CREATE TABLE's column definitions (name, type, constraints), table constraints left out; empty for
     * {@code AS}, {@code PARTITION OF} and {@code OF type} tables.
     */
    List<List<String>> columns() {
        if (kind != Kind.CREATE_TABLE || !is(tokens, body, "(")) {
            return List.of();
        }
        return splitTopLevel(tokens, body + 1, closing(tokens, body)).stream()
                .filter(c -> c.size() > 1 && !CONSTRAINT_WORDS.contains(c.get(0).toUpperCase(Locale.ROOT)))
                .toList();
    }

    boolean has(String word) {
        return tokens.stream().anyMatch(x -> x.equalsIgnoreCase(word));
    }

    static List<List<String>> splitTopLevel(List<String> t, int from, int to) {
        List<List<String>> parts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int depth = 0;
        for (int i = from; i < to; i++) {
            depth += is(t, i, "(") || is(t, i, "[") ? 1 : is(t, i, ")") || is(t, i, "]") ? -1 : 0;
            if (depth == 0 && is(t, i, ",")) {
                parts.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t.get(i));
            }
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        return parts;
    }

    /** The index of the parenthesis closing the one at {@code open}, or the end. */
    static int closing(List<String> t, int open) {
        int depth = 0;
        for (int i = open; i < t.size(); i++) {
            depth += is(t, i, "(") ? 1 : is(t, i, ")") ? -1 : 0;
            if (depth == 0) {
                return i;
            }
        }
        return t.size();
    }

    /** Past the keyword sequence at {@code i} if it is there. */
    static int skip(List<String> t, int i, String... words) {
        for (int k = 0; k < words.length; k++) {
            if (!is(t, i + k, words[k])) {
                return i;
            }
        }
        return i + words.length;
    }

    /** A keyword or symbol; strings and quoted names start with a quote, so they never match. */
    static boolean is(List<String> t, int i, String word) {
        return i >= 0 && i < t.size() && t.get(i).equalsIgnoreCase(word);
    }
}
