package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.sql.SqlScript;
import io.flotilla.sql.SqlScript.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Statements that are not one tenant's business, refused when a script is read. A migration runs once in every
 * tenant's schema, and the lint builds it for real on the control plane's own server: a role, a database, the
 * server's settings or another schema's objects would be changed once per tenant (the second tenant failing on
 * "already exists") and on that server too. Refused anywhere in a script:
 * <ul>
 *     <li>{@code CREATE/ALTER/DROP DATABASE}, {@code ALTER SYSTEM}, {@code COPY … FROM/TO PROGRAM};</li>
 *     <li>{@code CREATE/ALTER/DROP ROLE}, {@code USER}, {@code GROUP}, and granting a role to a role;</li>
 *     <li>other objects of the whole database rather than of a schema (tablespaces, event triggers, publications,
 *     subscriptions, foreign servers and wrappers, user mappings, languages, casts, access methods, transforms,
 *     {@code DROP/REASSIGN OWNED});</li>
 *     <li>creating, altering, dropping, commenting on or granting on an object whose name is qualified with a schema
 *     other than {@code ${schema}} ({@code public.x}, {@code other_tenant.x}), another schema itself, and moving an
 *     object into another schema ({@code SET SCHEMA});</li>
 *     <li>{@code SET/RESET search_path}, {@code RESET ALL}, {@code SET ROLE} and {@code SET SESSION AUTHORIZATION},
 *     and the same by another name, {@code set_config('search_path' | 'role' | 'session_authorization', …)} (local
 *     or not): they take the step out of the schema and the role Flotilla runs it in. {@code set_config} of any other
 *     setting ({@code lock_timeout}, {@code app.tenant_id}) stays allowed.</li>
 * </ul>
 * Only the name of the object a statement creates, alters or drops is looked at: a shared type or function used in a
 * column type or an expression ({@code public.vector(3)}, {@code public.gen_random_uuid()}, {@code REFERENCES}) is a
 * reference and stays allowed. Extensions keep their own route ({@code -- flotilla:requires-extension}) and are not
 * looked at here. The statements come from {@link SqlScript}'s lexer, so routine bodies, strings and comments never
 * count.
 */
public final class TenantBoundary {

    /** The schema part every tenant's statements may name: the tenant's own, whatever it is called. */
    private static final String OWN_SCHEMA = "${" + MigrationScript.SCHEMA + "}";

    /** Objects that live in a schema, as CREATE/ALTER/DROP/COMMENT ON name them (longest spelling first). */
    private static final List<String> SCHEMA_OBJECTS = List.of(
            "MATERIALIZED VIEW", "FOREIGN TABLE", "OPERATOR CLASS", "OPERATOR FAMILY", "TEXT SEARCH CONFIGURATION",
            "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER", "TEXT SEARCH TEMPLATE", "TABLE", "VIEW", "SEQUENCE",
            "FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE", "TYPE", "DOMAIN", "COLLATION", "CONVERSION", "STATISTICS",
            "OPERATOR", "INDEX");

    /** Objects named "name ON table": the table is what the statement changes. */
    private static final List<String> ON_TABLE = List.of("CONSTRAINT TRIGGER", "TRIGGER", "POLICY", "RULE");

    private static final List<String> ROLES = List.of("ROLE", "USER", "GROUP");

    /** Objects of the whole database, shared by every tenant schema in it. */
    private static final List<String> DATABASE_WIDE = List.of("USER MAPPING", "TABLESPACE", "EVENT TRIGGER",
            "PUBLICATION", "SUBSCRIPTION", "SERVER", "FOREIGN DATA WRAPPER", "FOREIGN SERVER", "LANGUAGE",
            "PROCEDURAL LANGUAGE", "TRUSTED LANGUAGE", "TRUSTED PROCEDURAL LANGUAGE", "CAST", "ACCESS METHOD",
            "TRANSFORM", "LARGE OBJECT", "PARAMETER");

    /** Words CREATE may carry before the kind of object, none of which moves it out of a schema. */
    private static final Set<String> CREATE_MODIFIERS = Set.of("UNLOGGED", "GLOBAL", "LOCAL", "UNIQUE", "RECURSIVE",
            "DEFAULT");

    /** What {@code set_config} may not change in a migration: SET search_path, ROLE, SESSION AUTHORIZATION's settings. */
    private static final Set<String> STEP_IDENTITY = Set.of("search_path", "role", "session_authorization");

    private static final String HOW = " (a migration runs once in every tenant's schema, and the lint builds it on"
            + " the control plane's own server)";

    private TenantBoundary() {
    }

    /** Adds a problem, naming the file and the statement's line, for each statement not a tenant's business. */
    public static void check(String file, String sql, List<CatalogProblem> problems) {
        check(file, sql, 1, problems);
    }

    /** {@link #check(String, String, List)} for a script that starts on line {@code firstLine} of its file. */
    static void check(String file, String sql, int firstLine, List<CatalogProblem> problems) {
        for (Statement statement : SqlScript.statements(sql)) {
            String why = why(SqlScript.lexemes(statement.text()));
            if (why != null) {
                int line = firstLine - 1 + statement.line();
                problems.add(new CatalogProblem(Kind.OUTSIDE_TENANT, file + " line " + line + ": "
                        + TransactionWrap.firstLine(statement) + " — " + why, List.of(file), line));
            }
        }
    }

    /** Why the statement (its lexemes) is refused, or null when it is the tenant's business. */
    static String why(List<String> lexemes) {
        Tokens t = new Tokens(lexemes);
        String first = t.word(0);
        String why = switch (first) {
            case "CREATE", "ALTER", "DROP" -> objectStatement(t, first);
            case "COMMENT" -> t.word(1).equals("ON") ? named(t, 2, "comments on") : null;
            case "GRANT", "REVOKE" -> grant(t);
            case "COPY" -> t.atDepthZero("FROM PROGRAM") >= 0 || t.atDepthZero("TO PROGRAM") >= 0
                    ? "COPY … PROGRAM runs a shell command on the database server" + HOW : null;
            case "REASSIGN" -> t.word(1).equals("OWNED") ? "REASSIGN OWNED changes objects across the whole database,"
                    + " every tenant's" + HOW : null;
            case "SET", "RESET" -> session(t, first);
            default -> null;
        };
        return why != null ? why : setConfig(t);
    }

    /**
     * {@code set_config('search_path' | 'role' | 'session_authorization', …)} anywhere in the statement (a routine
     * body is a string, so it never counts): SET by another name, refused as {@link #session} refuses SET.
     */
    private static String setConfig(Tokens t) {
        for (int i = t.next("SET_CONFIG", 0); i >= 0; i = t.next("SET_CONFIG", i + 1)) {
            String setting = t.string(i + 2);
            if (!t.lexeme(i + 1).equals("(") || setting == null) {
                continue;
            }
            String name = setting.trim().toLowerCase(Locale.ROOT);
            if (name.equals("search_path")) {
                return "set_config('search_path', …) takes the step out of the tenant's schema: Flotilla sets the"
                        + " search path for every step, and the names after this would land elsewhere";
            }
            if (STEP_IDENTITY.contains(name)) {
                return "set_config('" + name + "', …) runs the rest of the step as another role, not a tenant's"
                        + " business" + HOW;
            }
        }
        return null;
    }

    /**
     * {@code SET/RESET search_path} (and {@code RESET ALL}) takes away the search path Flotilla sets for the step, so
     * the names that follow would be created in another schema; a session-level one would even outlive the step on the
     * pooled connection. {@code SET ROLE} and {@code SET SESSION AUTHORIZATION} run the rest as someone else.
     */
    private static String session(Tokens t, String verb) {
        int i = t.word(1).equals("SESSION") || t.word(1).equals("LOCAL") ? 2 : 1;
        String what = t.word(i);
        if (what.equals("SEARCH_PATH") || what.equals("SCHEMA") || verb.equals("RESET") && what.equals("ALL")) {
            return verb + " " + t.word(i).toLowerCase(Locale.ROOT) + " takes the step out of the tenant's schema:"
                    + " Flotilla sets the search path for every step, and the names after this would land elsewhere";
        }
        if (verb.equals("SET") && (what.equals("ROLE") || what.equals("AUTHORIZATION")
                || t.word(1).equals("SESSION") && what.equals("AUTHORIZATION"))) {
            return "SET ROLE / SESSION AUTHORIZATION runs the rest of the step as another role, not a tenant's business"
                    + HOW;
        }
        return null;
    }

    private static String objectStatement(Tokens t, String verb) {
        String does = switch (verb) {
            case "CREATE" -> "creates";
            case "ALTER" -> "alters";
            default -> "drops";
        };
        if (verb.equals("ALTER") && t.word(1).equals("SYSTEM")) {
            return "ALTER SYSTEM changes the configuration of the whole server" + HOW;
        }
        if (verb.equals("DROP") && t.word(1).equals("OWNED")) {
            return "DROP OWNED drops objects across the whole database, every tenant's" + HOW;
        }
        if (verb.equals("ALTER") && t.atDepthZero("ALL IN TABLESPACE") > 0) {
            return "moves every such object of the whole database, every tenant's" + HOW;
        }
        if (verb.equals("ALTER") && t.is(1, "DEFAULT PRIVILEGES")) {
            return inSchemas(t, t.atDepthZero("IN SCHEMA"), "changes default privileges in");
        }
        int i = 1;
        if (verb.equals("CREATE")) {
            i = t.is(1, "OR REPLACE") ? 3 : 1;
            if (t.word(i).equals("TEMP") || t.word(i).equals("TEMPORARY")) {
                return null; // lives in the session's own temporary schema
            }
            while (CREATE_MODIFIERS.contains(t.word(i))) {
                i++;
            }
        }
        if (t.word(i).equals("EXTENSION")) {
            return null; // extensions keep their own route: -- flotilla:requires-extension
        }
        if (t.word(i).equals("DATABASE")) {
            return does + " a database, which is the server's, not one tenant's" + HOW;
        }
        String wide = t.match(i, DATABASE_WIDE);
        if (wide != null) {
            return does + " a " + wide.toLowerCase(Locale.ROOT) + ", an object of the whole database that every"
                    + " tenant shares" + HOW;
        }
        if (ROLES.contains(t.word(i))) {
            return does + " a role, which belongs to the whole server: the second tenant's run would fail on"
                    + " \"already exists\" and the lint's build would leave it on the control plane's server (manage"
                    + " roles outside migrations)";
        }
        String why = named(t, i, does);
        if (why == null && verb.equals("ALTER")) {
            int set = t.atDepthZero("SET SCHEMA");
            if (set > 0) {
                Name target = t.name(set + 2);
                if (target != null && !own(target.parts().get(target.parts().size() - 1))) {
                    return "moves an object into schema " + target.parts().get(target.parts().size() - 1)
                            + ", not the tenant's" + HOW;
                }
            }
        }
        if (why == null && verb.equals("CREATE") && t.word(i).equals("TABLE")) {
            int partition = t.atDepthZero("PARTITION OF");
            if (partition > 0) {
                return foreign(t.name(partition + 2), 1, "attaches a partition to");
            }
        }
        return why;
    }

    /**
     * For a statement naming an object from lexeme {@code i} on (its kind first): why it is refused when the object
     * is another schema, or in one; null when it is the tenant's.
     */
    private static String named(Tokens t, int i, String does) {
        if (t.word(i).equals("DATABASE") || ROLES.contains(t.word(i))) {
            return does + " a " + t.word(i).toLowerCase(Locale.ROOT) + ", which is the server's, not one tenant's"
                    + HOW;
        }
        String wide = t.match(i, DATABASE_WIDE);
        if (wide != null) {
            return does + " a " + wide.toLowerCase(Locale.ROOT) + ", an object of the whole database that every"
                    + " tenant shares" + HOW;
        }
        if (t.word(i).equals("EXTENSION")) {
            return null;
        }
        if (t.word(i).equals("SCHEMA")) {
            List<Name> names = t.names(t.skipIfExists(i + 1));
            for (Name name : names) {
                String schema = name.parts().get(name.parts().size() - 1);
                if (name.parts().size() == 1 && !own(schema)) {
                    return does + " schema " + schema + ", not the tenant's" + HOW;
                }
            }
            return null;
        }
        if (t.word(i).equals("COLUMN")) {
            return foreign(t.name(t.skipIfExists(i + 1)), 2, does); // schema.table.column
        }
        String onTable = t.match(i, ON_TABLE);
        if (onTable != null || t.word(i).equals("CONSTRAINT") && does.equals("comments on")) {
            int on = t.atDepthZero("ON", i + 1);
            if (onTable != null && onTable.equals("RULE") && does.equals("creates")) {
                on = t.atDepthZero("TO", on + 1); // CREATE RULE r AS ON INSERT TO table
            }
            if (on < 0) {
                return null;
            }
            int at = on + 1;
            at += t.word(at).equals("DOMAIN") || t.word(at).equals("ONLY") ? 1 : 0;
            return foreign(t.name(at), 1, does + " a " + (onTable == null ? "constraint" : onTable.toLowerCase(Locale.ROOT))
                    + " on");
        }
        String kind = t.match(i, SCHEMA_OBJECTS);
        if (kind == null) {
            return null;
        }
        int at = i + kind.split(" ").length;
        if (kind.equals("INDEX") && does.equals("creates")) {
            // CREATE INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table: the index goes where the table is.
            int on = t.atDepthZero("ON", at);
            if (on < 0) {
                return null;
            }
            at = on + 1 + (t.word(on + 1).equals("ONLY") ? 1 : 0);
            return foreign(t.name(at), 1, "creates an index on");
        }
        at += t.word(at).equals("CONCURRENTLY") ? 1 : 0;
        at = t.skipIfExists(at);
        at += t.word(at).equals("ONLY") ? 1 : 0;
        List<Name> names = does.equals("drops") || does.startsWith("grants") ? t.names(at) : nullable(t.name(at));
        for (Name name : names) {
            String why = foreign(name, 1, does);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private static List<Name> nullable(Name name) {
        return name == null ? List.of() : List.of(name);
    }

    /** {@code GRANT/REVOKE … ON [kind] name[, …] | ALL … IN SCHEMA s[, …]}; {@code GRANT role TO role}. */
    private static String grant(Tokens t) {
        int on = t.atDepthZero("ON");
        if (on < 0) {
            return t.atDepthZero("TO") > 0 || t.atDepthZero("FROM") > 0
                    ? "grants or revokes a role's membership in a role: roles belong to the whole server" + HOW : null;
        }
        int i = on + 1;
        if (t.word(i).equals("ALL")) {
            return inSchemas(t, t.atDepthZero("IN SCHEMA", i), "grants or revokes on objects in");
        }
        String why = named(t, i, "grants or revokes on");
        if (why != null || t.match(i, SCHEMA_OBJECTS) != null || t.word(i).equals("SCHEMA")) {
            return why;
        }
        for (Name name : t.names(i)) { // GRANT … ON name: a table
            String refused = foreign(name, 1, "grants or revokes on");
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    /** {@code IN SCHEMA s[, …]} at {@code in} (or -1: none): refused when one of them is not the tenant's. */
    private static String inSchemas(Tokens t, int in, String does) {
        if (in < 0) {
            return null;
        }
        for (Name name : t.names(in + 2)) {
            String schema = name.parts().get(name.parts().size() - 1);
            if (!own(schema)) {
                return does + " schema " + schema + ", not the tenant's" + HOW;
            }
        }
        return null;
    }

    /** Why a name qualified with a schema not the tenant's is refused; {@code depth} parts follow the schema. */
    private static String foreign(Name name, int depth, String does) {
        if (name == null || name.parts().size() <= depth) {
            return null;
        }
        String schema = name.parts().get(name.parts().size() - 1 - depth);
        if (own(schema)) {
            return null;
        }
        return does + " " + String.join(".", name.parts()) + " in schema " + schema + ", not the tenant's" + HOW
                + ": name it unqualified or as " + OWN_SCHEMA + "." + name.parts().get(name.parts().size() - 1)
                + " (a shared type or function used in a column or an expression stays allowed)";
    }

    private static boolean own(String schema) {
        return schema.equals(OWN_SCHEMA) || schema.equals("pg_temp");
    }

    /** A possibly qualified name: its parts as PostgreSQL reads them ({@code ${name}} for a placeholder). */
    record Name(List<String> parts, int next) {
    }

    /** The statement's lexemes, with lookups that skip what is inside parentheses. */
    private static final class Tokens {
        private final List<String> lexemes;
        private final int[] depth;

        Tokens(List<String> lexemes) {
            this.lexemes = lexemes;
            this.depth = new int[lexemes.size()];
            int d = 0;
            for (int i = 0; i < lexemes.size(); i++) {
                d -= lexemes.get(i).equals(")") ? 1 : 0;
                depth[i] = d;
                d += lexemes.get(i).equals("(") ? 1 : 0;
            }
        }

        /** The lexeme at {@code i} upper-cased if it is a bare word, else "" (strings and quoted names are never keywords). */
        String word(int i) {
            if (i < 0 || i >= lexemes.size()) {
                return "";
            }
            String x = lexemes.get(i);
            char c = x.charAt(0);
            return (Character.isLetter(c) || c == '_') && x.indexOf('\'') < 0 ? x.toUpperCase(Locale.ROOT) : "";
        }

        /** Whether the space-separated keywords stand from {@code i} on. */
        boolean is(int i, String keywords) {
            String[] words = keywords.split(" ");
            for (int k = 0; k < words.length; k++) {
                if (!word(i + k).equals(words[k])) {
                    return false;
                }
            }
            return true;
        }

        /** The first of {@code spellings} that stands at {@code i}, or null. */
        String match(int i, List<String> spellings) {
            return spellings.stream().filter(s -> is(i, s)).findFirst().orElse(null);
        }

        int atDepthZero(String keywords) {
            return atDepthZero(keywords, 0);
        }

        /** Where the keywords first stand outside any parentheses, from {@code from} on; -1 if nowhere. */
        int atDepthZero(String keywords, int from) {
            for (int i = Math.max(0, from); i < lexemes.size(); i++) {
                if (depth[i] == 0 && is(i, keywords)) {
                    return i;
                }
            }
            return -1;
        }

        /** Where the keyword next stands as a bare word, at any depth, from {@code from} on; -1 if nowhere. */
        int next(String keyword, int from) {
            for (int i = Math.max(0, from); i < lexemes.size(); i++) {
                if (word(i).equals(keyword)) {
                    return i;
                }
            }
            return -1;
        }

        String lexeme(int i) {
            return i >= 0 && i < lexemes.size() ? lexemes.get(i) : "";
        }

        /** The value of the plain string literal at {@code i} ({@code 'x'}, {@code E'x'}), or null when none stands there. */
        String string(int i) {
            String x = lexeme(i);
            if (x.length() > 2 && (x.charAt(0) == 'E' || x.charAt(0) == 'e') && x.charAt(1) == '\'') {
                x = x.substring(1);
            }
            return x.length() >= 2 && x.charAt(0) == '\'' && x.endsWith("'")
                    ? x.substring(1, x.length() - 1).replace("''", "'") : null;
        }

        int skipIfExists(int i) {
            return is(i, "IF NOT EXISTS") ? i + 3 : is(i, "IF EXISTS") ? i + 2 : i;
        }

        /** The name from {@code i} on, or null when none stands there. */
        Name name(int i) {
            List<String> parts = new ArrayList<>();
            int at = i;
            while (true) {
                int after = part(at, parts);
                if (after < 0) {
                    // schema.=== (an operator): the part before the dot is still its schema
                    if (!parts.isEmpty() && at < lexemes.size() && !lexemes.get(at).equals("(")) {
                        parts.add("?");
                    }
                    break;
                }
                at = after;
                if (at < lexemes.size() && lexemes.get(at).equals(".")) {
                    at++;
                } else {
                    break;
                }
            }
            return parts.isEmpty() ? null : new Name(List.copyOf(parts), at);
        }

        /** Names separated by commas at this depth (a routine's argument list skipped), from {@code i} on. */
        List<Name> names(int i) {
            List<Name> names = new ArrayList<>();
            int at = i;
            while (true) {
                Name name = name(at);
                if (name == null) {
                    return names;
                }
                names.add(name);
                at = name.next();
                if (at < lexemes.size() && lexemes.get(at).equals("(")) {
                    int d = depth[at];
                    do {
                        at++;
                    } while (at < lexemes.size() && !(lexemes.get(at).equals(")") && depth[at] == d));
                    at++;
                }
                if (at < lexemes.size() && lexemes.get(at).equals(",")) {
                    at++;
                } else {
                    return names;
                }
            }
        }

        /** Reads one name part at {@code i} into {@code parts}; the index after it, or -1 if none stands there. */
        private int part(int i, List<String> parts) {
            if (i >= lexemes.size()) {
                return -1;
            }
            String x = lexemes.get(i);
            if (x.equals("$") && i + 3 < lexemes.size() && lexemes.get(i + 1).equals("{")
                    && lexemes.get(i + 3).equals("}")) {
                parts.add("${" + lexemes.get(i + 2) + "}");
                return i + 4;
            }
            char c = x.charAt(0);
            if (c == '"' || (Character.isLetter(c) || c == '_') && !x.contains("$") && x.indexOf('\'') < 0) {
                parts.add(SqlScript.identifier(x));
                return i + 1;
            }
            return -1;
        }
    }
}
