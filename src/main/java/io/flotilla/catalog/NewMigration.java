package io.flotilla.catalog;

import io.flotilla.catalog.Layout.FileName;
import io.flotilla.catalog.MigrationResolver.Resolution;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The next migration of a directory, as {@code flotilla create --name add_invoices} makes it: an up file and its
 * rollback, numbered after the highest version and named in the layout the directory already uses, from a template
 * whose comments explain the directives. {@link #plan} decides (it only reads the directory); {@link #write} creates
 * the two files and never overwrites one.
 *
 * <p>Names: lower-case letters, digits and underscores, starting with a letter, at most {@value #MAX_NAME_LENGTH}
 * characters. Upper case is lowered and each run of spaces or hyphens becomes one underscore ({@code Add Invoices},
 * {@code add-invoices} → {@code add_invoices}); anything else is refused.
 *
 * <p>Numbering: after the highest version, its last numeric part plus one, keeping that part's zero-padding and the
 * separators ({@code 007} → {@code 008}, {@code V1_27} → {@code V1_28}, {@code 9} → {@code 10}); a highest version
 * that is a 14-digit UTC timestamp ({@code 20240101120000}) is followed by the clock's time, one second after the
 * highest if the clock is not past it. An empty or missing directory starts Flotilla's own layout at {@code 001}.
 *
 * @param directory where both files go (created by {@link #write} if missing)
 * @param layout    the directory's layout, which named both files
 * @param version   the new version as the file names spell it ({@code 008}, {@code 1_28})
 * @param name      the normalised name ({@code add_invoices})
 * @param up        the migration file
 * @param down      the rollback file
 */
public record NewMigration(Path directory, Layout layout, String version, String name, Script up, Script down) {

    public static final int MAX_NAME_LENGTH = 100;

    /** The layouts this class names files for; the others are read in place only, for now. */
    private static final Set<Layout> WRITABLE = EnumSet.of(Layout.FLOTILLA, Layout.GOLANG_MIGRATE, Layout.FLYWAY,
            Layout.DOTTED, Layout.V_UP_DOWN);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    /** Refused outright, never normalised away: they would reach outside the directory or confuse a layout. */
    private static final Pattern FORBIDDEN = Pattern.compile("[/\\\\.'\"`]");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{14}");
    private static final DateTimeFormatter TIMESTAMP_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);

    /** One file to create: where, and its text. */
    public record Script(Path path, String content) {
    }

    /** What {@link #plan} decided: the migration to write, or every reason there is none (nothing written). */
    public record Planned(Path directory, Optional<NewMigration> migration, List<String> problems) {
        public NewMigration orThrow() {
            if (!problems.isEmpty()) {
                throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Cannot create a migration in "
                        + directory.toAbsolutePath() + ": " + String.join("; ", problems),
                        Map.of("problems", problems));
            }
            return migration.orElseThrow();
        }
    }

    /**
     * Plans the next migration of {@code directory} named after {@code name}; reads the directory, writes nothing.
     * A directory the {@link MigrationResolver} finds problems in (mixed layouts, unreadable files, …) is refused
     * with the resolver's messages: the new pair could not be told apart from what is wrong there.
     */
    public static Planned plan(Path directory, String name, Clock clock) {
        List<String> problems = new ArrayList<>();
        String normalised = normaliseName(name, problems);
        Optional<MigrationCatalog> catalog = Optional.empty();
        if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(directory)) {
                problems.add(directory.toAbsolutePath() + " is not a directory");
            } else {
                Resolution resolution = MigrationResolver.resolve(directory, true);
                resolution.problems().forEach(p -> problems.add(p.message()));
                catalog = resolution.catalog();
            }
        }
        if (!problems.isEmpty()) {
            return new Planned(directory, Optional.empty(), List.copyOf(problems));
        }

        List<Migration> existing = catalog.map(MigrationCatalog::migrations).orElse(List.of());
        Layout layout = catalog.map(MigrationCatalog::layout).orElse(Layout.FLOTILLA);
        if (!WRITABLE.contains(layout)) {
            problems.add("flotilla create does not write " + layout.label() + " migrations yet; create the file as"
                    + " that tool names it, and Flotilla reads it as it is");
            return new Planned(directory, Optional.empty(), List.copyOf(problems));
        }
        String version;
        String upFile;
        String downFile;
        if (existing.isEmpty()) {
            version = "001";
            upFile = version + "_" + normalised + ".sql";
            downFile = "rollback_" + upFile;
        } else {
            Migration last = existing.get(existing.size() - 1);
            version = next(fileName(last.up()).versionText(), clock);
            String base = version + "_" + normalised;
            switch (layout) {
                case FLOTILLA -> {
                    upFile = base + ".sql";
                    downFile = "rollback_" + upFile;
                }
                case GOLANG_MIGRATE -> {
                    upFile = base + ".up.sql";
                    downFile = base + ".down.sql";
                }
                case FLYWAY -> {
                    upFile = "V" + version + "__" + normalised + ".sql";
                    downFile = "U" + version + "__" + normalised + ".sql";
                }
                case V_UP_DOWN -> {
                    upFile = "V" + version + "." + normalised + ".up.sql";
                    downFile = "V" + version + "." + normalised + ".down.sql";
                }
                case DOTTED -> {
                    // Copy the directory's own spelling: 1.x.sql or 1.x.up.sql; 1.x.down.sql or rollback_1.x.sql.
                    String dotted = version + "." + normalised;
                    upFile = dotted + (last.up().file().endsWith(".up.sql") ? ".up.sql" : ".sql");
                    boolean prefixed = existing.stream().filter(m -> m.down() != null)
                            .reduce((a, b) -> b).map(m -> m.down().file().startsWith("rollback_")).orElse(false);
                    downFile = prefixed ? "rollback_" + dotted + ".sql" : dotted + ".down.sql";
                }
                default -> throw new IllegalStateException("unknown layout " + layout);
            }
        }
        NewMigration migration = new NewMigration(directory, layout, version, normalised,
                new Script(directory.resolve(upFile), upTemplate(normalised)),
                new Script(directory.resolve(downFile), downTemplate(version, normalised, upFile)));
        for (Script script : List.of(migration.up, migration.down)) {
            if (Files.exists(script.path(), LinkOption.NOFOLLOW_LINKS)) {
                problems.add(script.path().getFileName() + " already exists in " + directory.toAbsolutePath());
            }
        }
        return problems.isEmpty() ? new Planned(directory, Optional.of(migration), List.of())
                : new Planned(directory, Optional.empty(), List.copyOf(problems));
    }

    /**
     * Creates the directory if needed and both files, each with {@code CREATE_NEW}: a file that exists by now is
     * never overwritten ({@link FileAlreadyExistsException}), and the up file is removed again when the rollback
     * cannot be created, so a failure leaves nothing behind.
     *
     * @return the paths written: the up file, then the rollback
     */
    public List<Path> write() throws IOException {
        Files.createDirectories(directory);
        create(up);
        try {
            create(down);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(up.path());
            throw e;
        }
        return List.of(up.path(), down.path());
    }

    private static void create(Script script) throws IOException {
        OutputStream out;
        try {
            out = Files.newOutputStream(script.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(script.path().toString(), null,
                    "already exists; nothing was overwritten");
        }
        try (out) {
            out.write(script.content().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Files.deleteIfExists(script.path()); // ours: created above, now half-written
            throw e;
        }
    }

    /** The name as files carry it, or null with a problem added. */
    static String normaliseName(String name, List<String> problems) {
        if (name == null || name.isBlank()) {
            problems.add("a migration needs a name, e.g. add_invoices");
            return null;
        }
        if (FORBIDDEN.matcher(name).find()) {
            problems.add("name '" + name + "' must not contain path separators, dots or quotes:"
                    + " use lower-case letters, digits and underscores, e.g. add_invoices");
            return null;
        }
        String normalised = name.trim().toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
        if (!NAME.matcher(normalised).matches()) {
            problems.add("name '" + name + "' must start with a letter and hold only letters, digits and"
                    + " underscores (spaces and hyphens become underscores), e.g. add_invoices");
            return null;
        }
        if (normalised.length() > MAX_NAME_LENGTH) {
            problems.add("name '" + name + "' is longer than " + MAX_NAME_LENGTH + " characters");
            return null;
        }
        return normalised;
    }

    /** The version after {@code highest}, spelt like it; see the class comment. */
    static String next(String highest, Clock clock) {
        if (TIMESTAMP.matcher(highest).matches()) {
            try {
                LocalDateTime last = LocalDateTime.parse(highest, TIMESTAMP_FORMAT);
                LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS);
                return TIMESTAMP_FORMAT.format(now.isAfter(last) ? now : last.plusSeconds(1));
            } catch (DateTimeParseException e) {
                // fourteen digits that are no date: an ordinary number
            }
        }
        int cut = Math.max(highest.lastIndexOf('.'), highest.lastIndexOf('_')) + 1;
        String part = highest.substring(cut);
        String incremented = new BigInteger(part).add(BigInteger.ONE).toString();
        return highest.substring(0, cut) + "0".repeat(Math.max(0, part.length() - incremented.length())) + incremented;
    }

    private static FileName fileName(MigrationScript script) {
        return Layout.classify(script.file()).orElseThrow(); // the resolver classified it already
    }

    /**
     * Comment-only on purpose: it resolves, and applied as it is it runs nothing. The directive examples are
     * commented out twice ({@code -- -- flotilla:…}), which the resolver does not read as directives; and no
     * placeholder but {@code ${schema}} (always defined) appears, since placeholders count inside comments too.
     */
    static String upTemplate(String name) {
        String rules = Arrays.stream(LintRule.values()).map(LintRule::id).collect(Collectors.joining(", "));
        return "-- " + sentence(name) + "\n"
                + "--\n"
                + "-- Directives go in this leading comment block, one per line. To use one below, delete its first \"-- \".\n"
                + "-- -- flotilla:no-transaction\n"
                + "--        run statement by statement outside a transaction, as CREATE INDEX CONCURRENTLY, VACUUM and\n"
                + "--        the like need; a failure leaves the statements before it applied, so make them safe to re-run\n"
                + "-- -- flotilla:requires-extension pgcrypto\n"
                + "--        extensions the SQL needs; a rollout checks the server offers them before it runs anything\n"
                + "-- -- flotilla:default region=eu\n"
                + "--        the value of a placeholder written like ${schema} but named region, for companies whose\n"
                + "--        settings do not give one\n"
                + "-- -- flotilla:lint-waive example rls-enabled\n"
                + "--        lets table example break the lint rules named; they are\n"
                + "--        " + rules + "\n"
                + "-- ${schema} is the tenant's schema, already quoted; it is also first on the search path.\n"
                + "\n"
                + "-- The SQL goes here; it runs in each tenant's schema. For example:\n"
                + "-- CREATE TABLE example (\n"
                + "--     tenant_id uuid   NOT NULL,\n"
                + "--     id        bigint GENERATED ALWAYS AS IDENTITY,\n"
                + "--     PRIMARY KEY (tenant_id, id)\n"
                + "-- );\n";
    }

    static String downTemplate(String version, String name, String upFile) {
        return "-- Roll back " + version + ": " + sentence(name).toLowerCase(Locale.ROOT) + "\n"
                + "--\n"
                + "-- Undo everything " + upFile + " does, last change first, so that the schema is as it was\n"
                + "-- before it ran. The directives the up file explains work here too.\n"
                + "\n"
                + "-- The SQL goes here. For example:\n"
                + "-- DROP TABLE IF EXISTS example;\n";
    }

    /** {@code add_invoices} → {@code Add invoices.} */
    private static String sentence(String name) {
        String words = name.replace('_', ' ').trim();
        return Character.toUpperCase(words.charAt(0)) + words.substring(1) + ".";
    }
}
