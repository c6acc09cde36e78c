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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The next migration of a directory, as {@code flotilla create --name add_invoices} makes it: an up file and its
 * rollback, numbered after the highest version and named in the layout the directory already uses, from a template
 * whose comments explain the directives. {@link #plan} decides (it only reads the directory); {@link #write} creates
 * the files and never overwrites one.
 *
 * <p>Layouts whose files hold both directions get one file: goose ({@code -- +goose Up} / {@code Down}), dbmate
 * ({@code -- migrate:up} / {@code down}), Liquibase (a new formatted SQL file after the last one, named like it, with
 * one changeset and a {@code --rollback} line); Prisma gets {@code <timestamp>_name/migration.sql} and no rollback.
 * sqitch gets {@code deploy/}, {@code revert/} and {@code verify/} scripts in sqitch's own template style and a change
 * line appended to {@code sqitch.plan} (planner from sqitch.conf's {@code [user]}, else
 * {@code flotilla <flotilla@localhost>}); its version is the change's position in the plan.
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
 * @param down      the rollback file, or null when the layout keeps it in the up file (or has none)
 * @param extra     further files to create (sqitch's verify script)
 * @param append    a line to append to an existing file (sqitch.plan's change line), or null
 */
public record NewMigration(Path directory, Layout layout, String version, String name, Script up, Script down,
                           List<Script> extra, Script append) {

    public static final int MAX_NAME_LENGTH = 100;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    /** Refused outright, never normalised away: they would reach outside the directory or confuse a layout. */
    private static final Pattern FORBIDDEN = Pattern.compile("[/\\\\.'\"`]");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{14}");
    private static final DateTimeFormatter TIMESTAMP_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter SQITCH_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    /** A Liquibase file named with a leading number: {@code 001-init.sql}, {@code 2_users.sql}. */
    private static final Pattern NUMBERED = Pattern.compile("^(\\d+)([-_.])(.*)\\.sql$");

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
        String version;
        String upFile;
        String downFile;
        if (layout == Layout.SQITCH) {
            return checked(directory, sqitch(directory, normalised, existing, clock, problems), problems);
        } else if (existing.isEmpty()) {
            version = "001";
            upFile = version + "_" + normalised + ".sql";
            downFile = "rollback_" + upFile;
        } else {
            Migration last = existing.get(existing.size() - 1);
            // A Liquibase step is numbered by its position, not by its file's name.
            version = layout == Layout.LIQUIBASE ? "" : next(fileName(last.up()).versionText(), clock);
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
                case GOOSE, DBMATE -> {
                    boolean goose = layout == Layout.GOOSE;
                    return checked(directory, new NewMigration(directory, layout, version, normalised,
                            new Script(directory.resolve(base + ".sql"), (goose ? "-- +goose Up\n" : "-- migrate:up\n")
                                    + upTemplate(normalised) + "\n" + (goose ? "-- +goose Down\n" : "-- migrate:down\n")
                                    + sectionDownTemplate()), null, List.of(), null), problems);
                }
                case PRISMA -> {
                    return checked(directory, new NewMigration(directory, layout, version, normalised,
                            new Script(directory.resolve(base).resolve("migration.sql"), upTemplate(normalised)),
                            null, List.of(), null), problems);
                }
                case LIQUIBASE -> {
                    String file = liquibaseFile(last.up().file(), normalised, clock);
                    // Every changeset counts, one skipped for another dbms too: it keeps its number.
                    return checked(directory, new NewMigration(directory, layout,
                            Integer.toString(Liquibase.count(directory) + 1), normalised,
                            new Script(directory.resolve(file), liquibaseTemplate(normalised)), null, List.of(), null),
                            problems);
                }
                default -> throw new IllegalStateException("unknown layout " + layout);
            }
        }
        NewMigration migration = new NewMigration(directory, layout, version, normalised,
                new Script(directory.resolve(upFile), upTemplate(normalised)),
                new Script(directory.resolve(downFile), downTemplate(version, normalised, upFile)), List.of(), null);
        return checked(directory, migration, problems);
    }

    /** The planned migration, unless one of the files it would create exists already (or planning found problems). */
    private static Planned checked(Path directory, NewMigration migration, List<String> problems) {
        if (migration != null) {
            for (Script script : migration.created()) {
                if (Files.exists(script.path(), LinkOption.NOFOLLOW_LINKS)) {
                    problems.add(directory.relativize(script.path()) + " already exists in "
                            + directory.toAbsolutePath());
                }
            }
        }
        return problems.isEmpty() && migration != null ? new Planned(directory, Optional.of(migration), List.of())
                : new Planned(directory, Optional.empty(), List.copyOf(problems));
    }

    /** The files {@link #write} creates, in order: up, rollback, the others. */
    public List<Script> created() {
        List<Script> scripts = new ArrayList<>();
        scripts.add(up);
        if (down != null) {
            scripts.add(down);
        }
        scripts.addAll(extra);
        return scripts;
    }

    /** A sqitch change: its position as version, its scripts, its plan line; null with a problem for a name in use. */
    private static NewMigration sqitch(Path directory, String name, List<Migration> existing, Clock clock,
                                       List<String> problems) {
        if (existing.stream().anyMatch(m -> m.name().equals(name))) {
            problems.add("sqitch.plan already has a change named " + name + "; reworking a change is sqitch's own"
                    + " business (sqitch rework), pick another name");
            return null;
        }
        String project = Sqitch.project(directory);
        String change = project == null ? name : project + ":" + name;
        String time = SQITCH_TIME.format(LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS));
        Path plan = directory.resolve(Sqitch.PLAN);
        String line = name + " " + time + " " + Sqitch.planner(directory) + " # " + sentence(name) + "\n";
        try {
            String text = Files.readString(plan, StandardCharsets.UTF_8);
            line = text.isEmpty() || text.endsWith("\n") ? line : "\n" + line;
        } catch (IOException e) {
            problems.add("cannot read " + plan.toAbsolutePath() + ": " + e.getMessage());
            return null;
        }
        return new NewMigration(directory, Layout.SQITCH, Integer.toString(existing.size() + 1), name,
                new Script(directory.resolve("deploy").resolve(name + ".sql"), "-- Deploy " + change + " to pg\n"
                        + "--\n"
                        + "-- " + sentence(name) + " Flotilla removes the BEGIN and COMMIT below and runs the change in"
                        + " its own\n"
                        + "-- transaction; for CREATE INDEX CONCURRENTLY and the like, delete them both.\n"
                        + "\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n"),
                new Script(directory.resolve("revert").resolve(name + ".sql"), "-- Revert " + change + " from pg\n"
                        + "\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n"),
                List.of(new Script(directory.resolve("verify").resolve(name + ".sql"), "-- Verify " + change
                        + " on pg\n\nBEGIN;\n\n-- XXX Add verifications here.\n\nROLLBACK;\n")),
                new Script(plan, line));
    }

    /** The next Liquibase file: the last one's leading number plus one, else its name with the new name appended. */
    static String liquibaseFile(String last, String name, Clock clock) {
        Matcher m = NUMBERED.matcher(last);
        if (m.matches()) {
            return next(m.group(1), clock) + m.group(2) + name + ".sql";
        }
        String base = last.endsWith(".sql") ? last.substring(0, last.length() - 4) : last;
        return base + "_" + name + ".sql"; // '_' sorts after '.', so after the last file
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
        List<Path> written = new ArrayList<>();
        try {
            for (Script script : created()) {
                Files.createDirectories(script.path().getParent());
                create(script);
                written.add(script.path());
            }
            if (append != null) {
                // Last, so that a plan line never names a change whose scripts could not be written.
                Files.writeString(append.path(), append.content(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                written.add(append.path());
            }
        } catch (IOException | RuntimeException e) {
            for (Path path : written) {
                Files.deleteIfExists(path);
            }
            throw e;
        }
        return List.copyOf(written);
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
        // The rule names, wrapped: there are over thirty.
        StringBuilder rules = new StringBuilder("--       ");
        int lineStart = 0;
        for (LintRule rule : LintRule.values()) {
            if (rules.length() - lineStart + rule.id().length() > 110) {
                lineStart = rules.append("\n--       ").length() - 10;
            }
            rules.append(' ').append(rule.id()).append(rule.ordinal() + 1 < LintRule.values().length ? "," : "");
        }
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
                + rules + "\n"
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

    /** The down section of a goose or dbmate file. */
    static String sectionDownTemplate() {
        return "-- Undo everything the up section does, last change first. For example:\n"
                + "-- DROP TABLE IF EXISTS example;\n";
    }

    /** One changeset, comment-only, with a rollback that runs nothing until it is written. */
    static String liquibaseTemplate(String name) {
        return "--liquibase formatted sql\n"
                + "\n"
                + "--changeset flotilla:" + name + "\n"
                + "--comment: " + sentence(name) + "\n"
                + "-- Flotilla runs each changeset as one step. Add runInTransaction:false to the --changeset line for\n"
                + "-- CREATE INDEX CONCURRENTLY and the like. The SQL goes here; for example:\n"
                + "-- CREATE TABLE example (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n"
                + "-- Write the rollback on --rollback lines, e.g. --rollback DROP TABLE example;\n"
                + "--rollback not required\n";
    }

    /** {@code add_invoices} → {@code Add invoices.} */
    private static String sentence(String name) {
        String words = name.replace('_', ' ').trim();
        return Character.toUpperCase(words.charAt(0)) + words.substring(1) + ".";
    }
}
