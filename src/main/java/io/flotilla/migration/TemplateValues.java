package io.flotilla.migration;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantExecutor;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Values for {@code ${name}} placeholders, in order: the company's {@code settings}; what the tenant's own data
 * says (see {@link TemplateRepository}); the file's {@code -- flotilla:default}.
 * {@code ${schema}} is always the quoted schema name.
 */
public final class TemplateValues {

    /** Names a tenant schema can answer for itself, looked up only when settings lack them. */
    public static final Set<String> LOOKED_UP = Set.of("embedding_dimensions");

    /** No quotes, semicolons, dollars, backslashes or spaces: a value is a token, never a fragment of SQL. */
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9_.:/+-]{0,255}$");
    /** Each opens a SQL comment that hides the script's SQL after the value ('--' fits the token shape). */
    private static final List<String> COMMENT_OPENERS = List.of("--", "/*");
    private static final String NOT_A_TOKEN = "must be a number, a boolean or a plain token (letters, digits,"
            + " _ . : / + -, at most 255), because it is substituted into migration SQL";

    private TemplateValues() {
    }

    /** The values one script gets, without {@code ${schema}}; fails naming every name nothing defines. */
    public static Map<String, String> resolve(MigrationTenant company, MigrationScript script, Map<String, String> lookedUp) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> from = new TreeMap<>();
        for (String name : script.placeholderNames()) {
            Object setting = company.settings().get(name);
            String value = setting != null ? settingText(setting)
                    : lookedUp.containsKey(name) ? lookedUp.get(name) : script.defaults().get(name);
            if (setting != null || lookedUp.containsKey(name)) {
                // Settings are checked when written, but rows can predate a rule or be written by hand; looked-up
                // values come from tenant data. Both are checked again here, the last step before SQL.
                from.put(name, setting != null ? "settings." + name : name + " looked up in the schema's data");
                whyUnsafe(value).ifPresent(why -> {
                    throw unsafe(company, script, name, from.get(name) + " " + why);
                });
            }
            if (value != null) {
                values.put(name, value);
            }
        }
        List<String> missing = script.placeholderNames().stream().filter(n -> !values.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new FlotillaException(ErrorCode.UNRESOLVED_PLACEHOLDER, script.file() + " uses "
                    + missing.stream().map(n -> "${" + n + "}").collect(Collectors.joining(", "))
                    + ", which neither company '" + company.companyName() + "' settings nor the file's"
                    + " '-- flotilla:default' lines define; nothing was run",
                    Map.of("placeholders", missing, "script", script.file(), "companyId", company.id()));
        }
        commentAtTheEdges(script, values, from.keySet()).ifPresent(edge -> {
            throw unsafe(company, script, edge.name(), from.get(edge.name()) + " ('" + values.get(edge.name())
                    + "') would make '" + edge.opener() + "' with the SQL next to it, a comment that hides the rest of"
                    + " the statement");
        });
        return values;
    }

    private static FlotillaException unsafe(MigrationTenant company, MigrationScript script, String name, String why) {
        return new FlotillaException(ErrorCode.UNSAFE_TEMPLATE_VALUE, "Company '" + company.companyName() + "': "
                + why + "; " + script.file() + " was not run",
                Map.of("placeholder", name, "script", script.file(), "companyId", company.id()));
    }

    /** A comment opener made by a value's first or last character and the character next to it in the rendered SQL. */
    record Edge(String name, String opener) {
    }

    /**
     * A value without {@code --} or {@code /*} can still make one with its neighbours: {@code -${n}} with n = -1,
     * {@code ${x}*2} with x = 4/. Checked for the values that come from outside the file ({@code names}).
     */
    static Optional<Edge> commentAtTheEdges(MigrationScript script, Map<String, String> values, Set<String> names) {
        boolean sharpEdges = names.stream().map(values::get).anyMatch(v -> v != null && !v.isEmpty()
                && ("-/".indexOf(v.charAt(0)) >= 0 || "-/".indexOf(v.charAt(v.length() - 1)) >= 0));
        if (!sharpEdges) {
            return Optional.empty(); // the common case: no render needed
        }
        List<String> literals = script.template().literals();
        List<String> placeholders = script.template().names();
        StringBuilder sql = new StringBuilder();
        List<Integer> edges = new ArrayList<>();
        List<String> edgeNames = new ArrayList<>();
        for (int i = 0; i < placeholders.size(); i++) {
            sql.append(literals.get(i));
            String name = placeholders.get(i);
            String value = MigrationScript.SCHEMA.equals(name) ? "\"s\"" : values.getOrDefault(name, "");
            if (names.contains(name)) {
                edges.add(sql.length());
                edges.add(sql.length() + value.length());
                edgeNames.add(name);
                edgeNames.add(name);
            }
            sql.append(value);
        }
        sql.append(literals.get(placeholders.size()));
        for (int i = 0; i < edges.size(); i++) {
            int at = edges.get(i);
            if (at > 0 && at < sql.length()) {
                String pair = sql.substring(at - 1, at + 1);
                if (COMMENT_OPENERS.contains(pair)) {
                    return Optional.of(new Edge(edgeNames.get(i), pair));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The values a script gets from its own {@code -- flotilla:default} lines alone, as when no company is
     * involved (the lint); fails naming every name the file leaves undefined.
     */
    public static Map<String, String> defaults(MigrationScript script) {
        Map<String, String> values = new TreeMap<>();
        for (String name : script.placeholderNames()) {
            if (script.defaults().containsKey(name)) {
                values.put(name, script.defaults().get(name));
            }
        }
        List<String> missing = script.placeholderNames().stream().filter(n -> !values.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new FlotillaException(ErrorCode.UNRESOLVED_PLACEHOLDER, script.file() + " uses "
                    + missing.stream().map(n -> "${" + n + "}").collect(Collectors.joining(", "))
                    + " without a '-- flotilla:default' line; nothing was run",
                    Map.of("placeholders", missing, "script", script.file()));
        }
        return values;
    }

    /** The script's SQL for this company. */
    public static String render(MigrationTenant company, MigrationScript script, Map<String, String> values) {
        return render(company.schemaName(), script, values);
    }

    /** The script's SQL with {@code ${schema}} naming {@code schema}: a company's, or a scratch schema. */
    public static String render(String schema, MigrationScript script, Map<String, String> values) {
        Map<String, String> all = new TreeMap<>(values);
        all.put(MigrationScript.SCHEMA, TenantExecutor.quoteIdent(schema));
        return script.render(all::get);
    }

    /** Names the scripts need that settings don't give and the schema might: worth one look-up query. */
    public static Set<String> toLookUp(MigrationTenant company, List<MigrationScript> scripts) {
        return scripts.stream().flatMap(s -> s.placeholderNames().stream())
                .filter(LOOKED_UP::contains).filter(n -> !company.settings().containsKey(n))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /**
     * Why {@code text} must not be substituted into SQL as a template value, or empty when it may: the one rule for
     * company settings (checked when written) and for values looked up from tenant data (checked before use).
     */
    public static Optional<String> whyUnsafe(String text) {
        if (text == null) {
            return Optional.of(NOT_A_TOKEN);
        }
        // Comment openers first: the more precise reason ('/*' fails the token shape as well).
        Optional<String> opener = COMMENT_OPENERS.stream().filter(text::contains).findFirst();
        if (opener.isPresent()) {
            return Optional.of("must not contain '" + opener.get() + "': substituted into migration SQL, it would open a"
                    + " comment that hides the rest of the statement");
        }
        return TOKEN.matcher(text).matches() ? Optional.empty() : Optional.of(NOT_A_TOKEN);
    }

    /** The text a setting contributes to SQL: numbers without exponent noise, booleans and tokens as they are. */
    public static String settingText(Object value) {
        if (value instanceof BigDecimal d) {
            return d.stripTrailingZeros().scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        if (value instanceof Double d && !Double.isFinite(d)) {
            return d.toString(); // no BigDecimal has it; CompanyRules refuses it in settings
        }
        if (value instanceof Number n) {
            return settingText(new BigDecimal(n.toString()));
        }
        return String.valueOf(value);
    }
}
