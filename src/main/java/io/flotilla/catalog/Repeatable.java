package io.flotilla.catalog;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flyway repeatable migration, {@code R__name.sql}: no version; run after the versioned migrations whenever its
 * checksum differs from the one last applied to the schema. Known by its name (the description, as Flyway knows it).
 *
 * @param name the description with underscores as spaces: {@code R__refresh_views.sql} is {@code refresh views}
 */
public record Repeatable(String name, MigrationScript script) {

    /** The ledger's {@code version} of a repeatable's rows: no number, so no versioned query ever takes it for one. */
    public static final String LEDGER_VERSION = "R";

    private static final Pattern FILE = Pattern.compile("^R__(.+)\\.sql$");

    /** Flyway's order: by description. */
    public static final Comparator<Repeatable> ORDER = Comparator.comparing(Repeatable::name);

    public String checksum() {
        return script.checksum();
    }

    /** The name of an {@code R__} file, or empty for any other file. */
    static Optional<String> nameOf(String fileName) {
        Matcher m = FILE.matcher(fileName);
        return m.matches() ? Optional.of(m.group(1).replace('_', ' ').trim()) : Optional.empty();
    }
}
