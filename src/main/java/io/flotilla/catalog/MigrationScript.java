package io.flotilla.catalog;

import io.flotilla.lock.LockPolicy;
import io.flotilla.sql.SqlScript.UnplacedExtension;
import io.flotilla.sql.SqlScript;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * @param template      {@code sql} split at its placeholders, once: a rollout renders each script for thousands of
 *                      companies, and then that is a concatenation rather than a regex scan
 * @param contentChecksum SHA-256 (hex) of the statements alone ({@link #content}): the same for a goose file's up
 *                      section and the plain file split out of it, so renaming a catalog into another layout is not
 *                      taken for drift
 * @param extensions    the {@code CREATE EXTENSION} statements without a {@code SCHEMA} clause, in order: the executor
 *                      creates these in the shared extension schema first, so that they never land in the first
 *                      tenant's schema (found once here, never per tenant)
 * @param locks         what the file's {@code -- flotilla:lock-timeouts}, {@code lock-budget} and
 *                      {@code statement-timeout} directives set of the lock policy its step runs under (they win over
 *                      the rollout's strategy and the configuration)
 */
public record MigrationScript(String file, String sql, String checksum, boolean transactional,
                              List<String> requires, Map<String, String> defaults, boolean placeholders,
                              Map<String, Set<LintRule>> lintWaivers, Template template, String contentChecksum,
                              List<UnplacedExtension> extensions, LockPolicy.Overrides locks) {

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    /** The placeholder reserved for the tenant's schema, already quoted as an identifier. */
    public static final String SCHEMA = "schema";

    public MigrationScript(String file, String sql, String checksum, boolean transactional, List<String> requires,
                           Map<String, String> defaults, boolean placeholders, Map<String, Set<LintRule>> lintWaivers) {
        this(file, sql, checksum, transactional, requires, defaults, placeholders, lintWaivers,
                Template.parse(sql, placeholders), MigrationResolver.sha256(content(sql)), unplacedExtensions(sql),
                LockPolicy.Overrides.NONE);
    }

    /** This script with its lock directives. */
    public MigrationScript withLocks(LockPolicy.Overrides directives) {
        return new MigrationScript(file, sql, checksum, transactional, requires, defaults, placeholders, lintWaivers,
                template, contentChecksum, extensions, directives);
    }

    private static List<UnplacedExtension> unplacedExtensions(String sql) {
        return SqlScript.split(sql).stream().map(SqlScript::unplacedExtension).flatMap(Optional::stream).distinct()
                .toList();
    }

    /**
     * What a script does, without how its file is laid out: its tokens (strings and dollar-quoted bodies whole) with
     * whitespace and comments dropped, so another tool's section markers, headers and directives do not count.
     */
    static String content(String sql) {
        return String.join(" ", SqlScript.lexemes(sql));
    }

    /**
     * SQL that is not a migration (a maintenance job's), for its template alone: no directives read, placeholders
     * on, transactional.
     */
    public static MigrationScript unchecked(String file, String sql) {
        return new MigrationScript(file, sql, MigrationResolver.sha256(sql), true, List.of(), Map.of(), true, Map.of());
    }

    /**
     * The text between placeholders ({@code literals}, one more than {@code names}) and the placeholder names in
     * order of appearance; {@code others} are the names other than {@code ${schema}}, sorted.
     */
    public record Template(List<String> literals, List<String> names, Set<String> others) {
        static Template parse(String sql, boolean placeholders) {
            List<String> literals = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int from = 0;
            if (placeholders) {
                Matcher m = PLACEHOLDER.matcher(sql);
                while (m.find()) {
                    literals.add(sql.substring(from, m.start()));
                    names.add(m.group(1));
                    from = m.end();
                }
            }
            literals.add(sql.substring(from));
            Set<String> others = new TreeSet<>(names);
            others.remove(SCHEMA);
            return new Template(List.copyOf(literals), List.copyOf(names), Collections.unmodifiableSet(others));
        }
    }

    /** Placeholder names the file uses, other than {@code ${schema}}. */
    public Set<String> placeholderNames() {
        return template.others();
    }

    /**
     * Replaces every placeholder through {@code values} (which answers null for an unknown name); the caller
     * checks {@link #placeholderNames()} against its values first, so an unresolved name never reaches SQL.
     */
    public String render(Function<String, String> values) {
        if (template.names().isEmpty()) {
            return sql;
        }
        StringBuilder out = new StringBuilder(sql.length() + 64);
        for (int i = 0; i < template.names().size(); i++) {
            String name = template.names().get(i);
            String value = values.apply(name);
            if (value == null) {
                throw new IllegalStateException("unresolved placeholder ${" + name + "} in " + file);
            }
            out.append(template.literals().get(i)).append(value);
        }
        return out.append(template.literals().get(template.names().size())).toString();
    }
}
