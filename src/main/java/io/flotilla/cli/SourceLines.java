package io.flotilla.cli;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.migration.TemplateValues;
import io.flotilla.sql.SchemaNames;
import io.flotilla.sql.SqlScript;
import io.flotilla.verification.BuildFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Lines in the catalog's files for what the lint reports by version and table: where the table a table rule judges
 * is created, where a statement about a table starts, where PostgreSQL refused a script. The lint's report names
 * files and versions (a statement rule its own line, where the report has one); this finds the rest in the files
 * themselves, so that a CI annotation can point at the line. Null when the text does not say.
 */
final class SourceLines {

    /** A stand-in for the scratch schema's name, as long as the real one: positions in a rendered script stay right. */
    private static final String SCRATCH = SchemaNames.SCRATCH_PREFIX + "0".repeat(16);

    private final MigrationCatalog catalog;

    SourceLines(MigrationCatalog catalog) {
        this.catalog = catalog;
    }

    /** The line PostgreSQL's error position points at in the failed migration's file. */
    Integer failure(BuildFailure failure) {
        if (failure == null || failure.position() == null) {
            return null;
        }
        return script(failure.version()).flatMap(script -> rendered(script).map(sql -> {
            int at = Math.min(Math.max(failure.position() - 1, 0), sql.length());
            return firstLine(script) + newlines(sql, at);
        })).orElse(null);
    }

    /** The line of the statement that creates {@code table} in the version's file ({@code CREATE … TABLE name}). */
    Integer creates(String version, String table) {
        return statementLine(version, table, true);
    }

    /** The line of the first statement in the version's file that names {@code table}. */
    Integer mentions(String version, String table) {
        return statementLine(version, table, false);
    }

    private Integer statementLine(String version, String table, boolean creating) {
        if (version == null || table == null) {
            return null;
        }
        return script(version).flatMap(script -> rendered(script).map(sql -> {
            int from = 0;
            for (String statement : SqlScript.split(sql)) {
                int at = sql.indexOf(statement, from);
                if (at < 0) {
                    return null;
                }
                from = at + statement.length();
                List<String> t = SqlScript.lexemes(statement);
                if (creating ? createsTable(t, table) : t.stream().anyMatch(l -> table.equals(SqlScript.identifier(l)))) {
                    return firstLine(script) + newlines(sql, at);
                }
            }
            return null;
        })).orElse(null);
    }

    /** {@code CREATE [anything] TABLE [IF NOT EXISTS] [schema.]table}. */
    private static boolean createsTable(List<String> t, String table) {
        if (t.isEmpty() || !t.get(0).equalsIgnoreCase("CREATE")) {
            return false;
        }
        int i = 1;
        while (i < t.size() && i < 4 && !t.get(i).equalsIgnoreCase("TABLE")) {
            i++;
        }
        if (i >= t.size() || !t.get(i).equalsIgnoreCase("TABLE")) {
            return false;
        }
        i++;
        if (i + 2 < t.size() && t.get(i).equalsIgnoreCase("IF") && t.get(i + 1).equalsIgnoreCase("NOT")) {
            i += 3;
        }
        if (i + 2 < t.size() && t.get(i + 1).equals(".")) {
            i += 2;
        }
        return i < t.size() && table.equals(SqlScript.identifier(t.get(i)));
    }

    private Optional<MigrationScript> script(String version) {
        try {
            return catalog.find(Version.parse(version)).map(Migration::up);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The script as the lint sent it (its defaults, the scratch schema's name), or empty if it does not render. */
    private static Optional<String> rendered(MigrationScript script) {
        try {
            return Optional.of(TemplateValues.render(SCRATCH, script, TemplateValues.defaults(script)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The file line the script's text starts on: 1 for a file that is one script, later for an up section of a goose
     * or dbmate file or a Liquibase changeset (found verbatim in the file); 1 when the file cannot be read.
     */
    private int firstLine(MigrationScript script) {
        try {
            String text = Files.readString(catalog.directory().resolve(script.file()), StandardCharsets.UTF_8)
                    .replace("\r\n", "\n").replace('\r', '\n');
            int at = text.indexOf(script.sql());
            return at < 0 ? 1 : 1 + newlines(text, at);
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    private static int newlines(String text, int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /**
     * A finding about {@code table} in the version's file: a table rule names the migration that created the table,
     * so its {@code CREATE TABLE}; a statement rule names the migration holding the statement, which then names the
     * table (the report's own line, where it has one, is better: see the verb).
     */
    Integer violation(String version, String table) {
        Integer created = creates(version, table);
        return created != null ? created : mentions(version, table);
    }
}
