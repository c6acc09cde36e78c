package io.flotilla.catalog;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SQL file of the catalog, parsed once at start-up: normalised text, checksum and header directives.
 *
 * @param file          the file name, as users know it
 * @param sql           the text with line endings normalised (what the checksum covers)
 * @param checksum      SHA-256 (hex) of {@code sql}
 * @param transactional false when the file says {@code -- flotilla:no-transaction} or holds a statement
 *                      PostgreSQL refuses inside a transaction block ({@code CREATE INDEX CONCURRENTLY}, …)
 * @param requires      extensions the file declares with {@code -- flotilla:requires-extension}
 * @param defaults      placeholder defaults declared with {@code -- flotilla:default name=value}
 * @param placeholders  whether {@code ${name}} placeholders are replaced in this file
 * @param lintWaivers   lint rules waived per table with {@code -- flotilla:lint-waive table rule[,rule…]}; table
 *                      names as PostgreSQL stores them (unquoted names folded to lower case)
 */
public record MigrationScript(String file, String sql, String checksum, boolean transactional,
                              List<String> requires, Map<String, String> defaults, boolean placeholders,
                              Map<String, Set<LintRule>> lintWaivers) {

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    /** The placeholder reserved for the tenant's schema, already quoted as an identifier. */
    public static final String SCHEMA = "schema";

    /** Placeholder names the file uses, other than {@code ${schema}}. */
    public Set<String> placeholderNames() {
        Set<String> names = new TreeSet<>();
        if (placeholders) {
            Matcher m = PLACEHOLDER.matcher(sql);
            while (m.find()) {
                if (!m.group(1).equals(SCHEMA)) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /**
     * Replaces every placeholder through {@code values} (which answers null for an unknown name); the caller
     * checks {@link #placeholderNames()} against its values first, so an unresolved name never reaches SQL.
     */
    public String render(Function<String, String> values) {
        if (!placeholders) {
            return sql;
        }
        Matcher m = PLACEHOLDER.matcher(sql);
        StringBuilder out = new StringBuilder(sql.length() + 64);
        while (m.find()) {
            String value = values.apply(m.group(1));
            if (value == null) {
                throw new IllegalStateException("unresolved placeholder ${" + m.group(1) + "} in " + file);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
