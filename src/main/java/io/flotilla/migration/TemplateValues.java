package io.flotilla.migration;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantExecutor;

import java.math.BigDecimal;
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
        for (String name : script.placeholderNames()) {
            Object setting = company.settings().get(name);
            String value = setting != null ? settingText(setting)
                    : lookedUp.containsKey(name) ? lookedUp.get(name) : script.defaults().get(name);
            if (setting != null || lookedUp.containsKey(name)) {
                // Settings are checked when written, but rows can predate a rule or be written by hand; looked-up
                // values come from tenant data. Both are checked again here, the last step before SQL.
                String from = setting != null ? "settings." + name : name + " looked up in the schema's data";
                whyUnsafe(value).ifPresent(why -> {
                    throw new FlotillaException(ErrorCode.UNSAFE_TEMPLATE_VALUE, "Company '" + company.companyName()
                            + "': " + from + " " + why + "; " + script.file() + " was not run",
                            Map.of("placeholder", name, "script", script.file(), "companyId", company.id()));
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
        return values;
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
