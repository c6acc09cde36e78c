package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.Layout.FileName;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.lock.LockPolicy;
import io.flotilla.sql.SqlScript;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a migration directory into a {@link MigrationCatalog}: classifies file names by layout, pairs up and
 * down scripts, parses header directives and checksums each file once. Problems come back as data so that
 * every problem of a directory is reported at once, not the first one only.
 */
public final class MigrationResolver {

    /** What a directory resolved to: a catalog when there are no problems. */
    public record Resolution(Path directory, Optional<MigrationCatalog> catalog, List<CatalogProblem> problems) {
        public MigrationCatalog orThrow() {
            if (!problems.isEmpty()) {
                throw new FlotillaException(ErrorCode.CATALOG_INVALID,
                        "Migration directory " + directory.toAbsolutePath() + " is invalid: "
                                + problems.stream().map(CatalogProblem::message).collect(Collectors.joining("; ")),
                        Map.of("problems", problems.stream().map(CatalogProblem::toString).toList()));
            }
            return catalog.orElseThrow();
        }
    }

    private static final Pattern DEFAULT_VALUE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_.-]*)\\s*=\\s*(\\S.*)$");
    private static final Set<String> FLOTILLA_SUBDIRECTORIES = Set.of(Seeds.DIRECTORY, "maintenance");
    private static final Pattern PRISMA_DIRECTORY = Pattern.compile("^\\d+_[^/\\\\]+$");
    private static final Pattern EXTENSION = Pattern.compile("^[A-Za-z_][A-Za-z0-9_-]*$");
    /** {@code table rule[,rule…]}: the table unquoted or double-quoted, as in SQL. */
    private static final Pattern WAIVER = Pattern.compile("^(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)\\s+(\\S.*)$");

    private MigrationResolver() {
    }

    /** The {@code .sql} files directly in {@code directory} (any case of the extension), by file name. */
    static List<Path> sqlFiles(Path directory) throws IOException {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase().endsWith(".sql"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    public static Resolution resolve(Path directory, boolean placeholders) {
        List<CatalogProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            problems.add(new CatalogProblem(Kind.DIRECTORY_MISSING,
                    "migration directory " + directory.toAbsolutePath() + " does not exist (set MIGRATIONS_DIR)",
                    List.of()));
            return new Resolution(directory, Optional.empty(), problems);
        }
        List<Path> files;
        try {
            files = sqlFiles(directory);
        } catch (IOException e) {
            problems.add(new CatalogProblem(Kind.DIRECTORY_MISSING,
                    "cannot list " + directory.toAbsolutePath() + ": " + e.getMessage(), List.of()));
            return new Resolution(directory, Optional.empty(), problems);
        }

        Map<Layout, List<String>> byLayout = new LinkedHashMap<>();
        TreeMap<Version, List<FileName>> ups = new TreeMap<>();
        TreeMap<Version, List<FileName>> downs = new TreeMap<>();
        // Each script's text (null when unreadable) and whether its tool's own syntax says no transaction; a goose or
        // dbmate file gives two entries, its up and its down section, under the same file name.
        Map<FileName, Source> sources = new LinkedHashMap<>();
        List<Path> candidates = new ArrayList<>(files);
        List<Path> prismaDirectories = prismaDirectories(directory, problems);
        List<String> prismaWithoutScript = new ArrayList<>();
        for (Path sub : prismaDirectories) {
            Path script = sub.resolve("migration.sql");
            if (Files.isRegularFile(script)) {
                candidates.add(script);
            } else {
                prismaWithoutScript.add(sub.getFileName() + "/");
            }
        }
        // sqitch: the plan, not the file names, lists the steps; its scripts live in subdirectories.
        boolean sqitch = Files.isRegularFile(directory.resolve(Sqitch.PLAN));
        if (sqitch) {
            byLayout.put(Layout.SQITCH, new ArrayList<>(List.of(Sqitch.PLAN)));
            List<ToolStep> steps = Sqitch.read(directory, problems);
            for (int i = 0; i < steps.size(); i++) {
                addStep(Layout.SQITCH, i + 1, steps.get(i), 1, ups, downs, sources);
            }
        }
        int liquibasePosition = 0; // changesets are numbered across the directory's files, in name order
        List<Path> repeatableFiles = new ArrayList<>();
        for (Path path : candidates) {
            String fileName = directory.relativize(path).toString().replace('\\', '/');
            if (Repeatable.nameOf(fileName).isPresent()) {
                repeatableFiles.add(path); // read once the directory's layout is known
                continue;
            }
            List<CatalogProblem> unreadable = new ArrayList<>();
            String content = decode(path, fileName, unreadable);
            if (content != null && Liquibase.isFormatted(content)) {
                byLayout.computeIfAbsent(Layout.LIQUIBASE, l -> new ArrayList<>()).add(fileName);
                int searchFrom = 0;
                for (ToolStep step : Liquibase.changesets(fileName, content, problems)) {
                    liquibasePosition++;
                    // A changeset's up script starts at its --changeset line: its problems name the file's lines.
                    String changeset = step.up().sql().lines().findFirst().orElse("");
                    int at = content.indexOf(changeset, searchFrom);
                    searchFrom = at < 0 ? searchFrom : at + changeset.length();
                    int firstLine = at < 0 ? 1 : 1 + (int) content.substring(0, at).chars().filter(c -> c == '\n').count();
                    if (!step.skipped()) {
                        addStep(Layout.LIQUIBASE, liquibasePosition, step, firstLine, ups, downs, sources);
                    }
                }
                continue;
            }
            Optional<FileName> classified = Layout.classify(fileName);
            if (classified.isEmpty()) {
                problems.add(new CatalogProblem(Kind.UNRECOGNISED_FILE, fileName
                        + " matches no known layout (expected e.g. " + EXAMPLES + ")", List.of(fileName)));
                continue;
            }
            FileName name = classified.get();
            problems.addAll(unreadable);
            String text = content;
            // Another tool's markers in a Flotilla-named file: that tool's layout, cut in two, never run whole.
            Optional<Layout> sectioned = text == null ? Optional.empty() : Sections.detect(fileName, text, problems);
            if (sectioned.isPresent() && name.layout() != Layout.FLOTILLA) {
                problems.add(new CatalogProblem(Kind.UNSUPPORTED_FILE, fileName + " holds "
                        + sectioned.get().label() + " section markers but is named as " + name.layout().label()
                        + ", which would run it whole, down section too", List.of(fileName)));
                continue;
            }
            if (sectioned.isPresent() && name.down()) {
                problems.add(new CatalogProblem(Kind.UNSUPPORTED_FILE, fileName + " is a rollback_ file holding "
                        + sectioned.get().label() + " section markers; a file with sections carries its own down",
                        List.of(fileName)));
                continue;
            }
            if (sectioned.isPresent()) {
                FileName up = name.as(sectioned.get(), false);
                byLayout.computeIfAbsent(up.layout(), l -> new ArrayList<>()).add(fileName);
                Optional<Sections.Split> split = Sections.split(fileName, text, sectioned.get(), problems);
                if (split.isEmpty()) {
                    continue;
                }
                ups.computeIfAbsent(up.version(), v -> new ArrayList<>()).add(up);
                sources.put(up, new Source(split.get().up().sql(), split.get().up().noTransaction(), null));
                split.get().down().ifPresent(section -> {
                    FileName down = name.as(sectioned.get(), true);
                    downs.computeIfAbsent(down.version(), v -> new ArrayList<>()).add(down);
                    // The down section starts at its marker: its problems name the file's lines.
                    int firstLine = 1 + (int) text.substring(0, text.length() - section.sql().length()).chars()
                            .filter(c -> c == '\n').count();
                    sources.put(down, new Source(section.sql(), section.noTransaction(), null, firstLine));
                });
                continue;
            }
            byLayout.computeIfAbsent(name.layout(), l -> new ArrayList<>()).add(fileName);
            (name.down() ? downs : ups).computeIfAbsent(name.version(), v -> new ArrayList<>()).add(name);
            sources.put(name, new Source(text, false, null));
        }
        if (byLayout.containsKey(Layout.PRISMA)) {
            // In a Prisma tree a migration directory without its script is a half-deleted or misnamed migration.
            for (String sub : prismaWithoutScript) {
                problems.add(new CatalogProblem(Kind.UNRECOGNISED_FILE, sub + " looks like a Prisma migration"
                        + " directory but holds no migration.sql", List.of(sub)));
            }
        }
        if (byLayout.size() > 1) {
            problems.add(new CatalogProblem(Kind.MIXED_LAYOUTS, "one directory must use one layout, found "
                    + byLayout.entrySet().stream()
                    .map(e -> e.getKey().label() + ": " + String.join(", ", e.getValue()))
                    .collect(Collectors.joining(" and ")),
                    byLayout.values().stream().flatMap(List::stream).toList()));
        }
        List<Repeatable> repeatables = repeatables(repeatableFiles, byLayout.keySet(), placeholders, problems);
        duplicates(ups, "migrations", problems);
        duplicates(downs, "rollback files", problems);
        downs.forEach((version, names) -> {
            if (!ups.containsKey(version)) {
                List<String> unpaired = names.stream().map(FileName::file).toList();
                problems.add(new CatalogProblem(Kind.UNPAIRED_ROLLBACK, String.join(", ", unpaired)
                        + " undoes version " + version + ", which has no migration file", unpaired));
            }
        });
        if (ups.isEmpty() && downs.isEmpty() && problems.isEmpty() && byLayout.isEmpty()) {
            nothingFound(directory, problems);
        }

        // Every file is read, even one already in trouble, so that all its problems show at once.
        Map<FileName, MigrationScript> scripts = new LinkedHashMap<>();
        sources.forEach((name, source) -> {
            if (source.text() != null) {
                scripts.put(name, parse(name.file(), source.text(), placeholders, source.noTransaction(),
                        source.firstLine(), problems));
            }
        });
        List<Migration> migrations = new ArrayList<>();
        for (var entry : ups.entrySet()) {
            FileName up = entry.getValue().get(0);
            List<FileName> downNames = downs.get(entry.getKey());
            MigrationScript upScript = scripts.get(up);
            if (upScript != null) {
                String stepName = sources.get(up).name() != null ? sources.get(up).name() : up.name();
                migrations.add(new Migration(entry.getKey(), stepName, upScript,
                        downNames == null ? null : scripts.get(downNames.get(0))));
            }
        }
        LintLevels lintLevels = LintLevels.read(directory);
        problems.addAll(lintLevels.problems()); // a typo there must not silently leave a rule at its default
        if (!problems.isEmpty()) {
            return new Resolution(directory, Optional.empty(), problems);
        }
        Layout layout = byLayout.isEmpty() ? Layout.FLOTILLA : byLayout.keySet().iterator().next();
        return new Resolution(directory, Optional.of(new MigrationCatalog(directory, layout, migrations, repeatables,
                lintLevels)), problems);
    }

    /**
     * Flyway's {@code R__name.sql}, read only beside Flyway's versioned files: elsewhere no tool of that layout would
     * run it, and its name says nothing of an order. Two files with one name (underscores are spaces) are refused.
     */
    private static List<Repeatable> repeatables(List<Path> files, Set<Layout> layouts, boolean placeholders,
                                                List<CatalogProblem> problems) {
        List<Repeatable> repeatables = new ArrayList<>();
        Map<String, String> byName = new TreeMap<>();
        for (Path path : files) {
            String fileName = path.getFileName().toString();
            if (!layouts.equals(Set.of(Layout.FLYWAY))) {
                problems.add(new CatalogProblem(Kind.UNSUPPORTED_FILE, fileName + " is a Flyway repeatable migration,"
                        + " read only in a Flyway-layout directory (V1__name.sql beside it)", List.of(fileName)));
                continue;
            }
            String name = Repeatable.nameOf(fileName).orElseThrow();
            String clash = byName.putIfAbsent(name, fileName);
            if (clash != null) {
                problems.add(new CatalogProblem(Kind.DUPLICATE_VERSION, "repeatable migration '" + name
                        + "' is claimed by " + clash + " and " + fileName, List.of(clash, fileName)));
                continue;
            }
            MigrationScript script = read(path, placeholders, problems);
            if (script != null) {
                repeatables.add(new Repeatable(name, script));
            }
        }
        return repeatables;
    }

    /**
     * What a script is read from: its text (null if unreadable), its tool's own no-transaction flag, and the step's
     * name when the tool names it (a sqitch change, a Liquibase changeset), else null: named after the file.
     */
    private record Source(String text, boolean noTransaction, String name, int firstLine) {
        Source(String text, boolean noTransaction, String name) {
            this(text, noTransaction, name, 1);
        }
    }

    /** A step a tool's listing names, numbered by its position there; its up script starts on line {@code firstLine}. */
    private static void addStep(Layout layout, int position, ToolStep step, int firstLine,
                                Map<Version, List<FileName>> ups, Map<Version, List<FileName>> downs,
                                Map<FileName, Source> sources) {
        String text = Integer.toString(position);
        Version version = Version.parse(text);
        FileName up = new FileName(step.file(), layout, version, text, step.name(), false);
        ups.computeIfAbsent(version, v -> new ArrayList<>()).add(up);
        sources.put(up, new Source(step.up().sql(), step.up().noTransaction(), step.name(), firstLine));
        if (step.down() != null) {
            FileName down = new FileName(step.downFile(), layout, version, text, step.name(), true);
            downs.computeIfAbsent(version, v -> new ArrayList<>()).add(down);
            sources.put(down, new Source(step.down().sql(), step.down().noTransaction(), step.name()));
        }
    }

    private static final String EXAMPLES = "001_name.sql, rollback_001_name.sql, 1_name.up.sql, V1__name.sql,"
            + " 1.name.sql, V0001.name.up.sql, a goose or dbmate 20240101120000_name.sql, Prisma's"
            + " 20240101120000_name/migration.sql, a sqitch.plan with deploy/ and revert/, or Liquibase formatted SQL"
            + " (first line --liquibase formatted sql)";

    /** The subdirectories named as Prisma names its migrations: {@code 20240101120000_name/}. */
    private static List<Path> prismaDirectories(Path directory, List<CatalogProblem> problems) {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(Files::isDirectory)
                    .filter(p -> PRISMA_DIRECTORY.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            problems.add(new CatalogProblem(Kind.DIRECTORY_MISSING,
                    "cannot list " + directory.toAbsolutePath() + ": " + e.getMessage(), List.of()));
            return List.of();
        }
    }

    /**
     * A directory that holds something but no migration is a mistake (a parent directory, another tool's format),
     * not an empty catalog: say what is there. Hidden files and Flotilla's own subdirectories (seeds, maintenance
     * jobs) do not count: a new project may hold those before its first migration.
     */
    private static void nothingFound(Path directory, List<CatalogProblem> problems) {
        List<String> found;
        try (Stream<Path> listing = Files.list(directory)) {
            found = listing.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !(Files.isDirectory(p) && FLOTILLA_SUBDIRECTORIES.contains(p.getFileName().toString())))
                    .map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted().toList();
        } catch (IOException e) {
            problems.add(new CatalogProblem(Kind.DIRECTORY_MISSING,
                    "cannot list " + directory.toAbsolutePath() + ": " + e.getMessage(), List.of()));
            return;
        }
        if (found.isEmpty()) {
            return;
        }
        int shown = Math.min(found.size(), 20);
        problems.add(new CatalogProblem(Kind.NO_MIGRATIONS, directory.toAbsolutePath() + " holds no migration: found "
                + String.join(", ", found.subList(0, shown)) + (shown < found.size() ? " and "
                + (found.size() - shown) + " more" : "") + " (subdirectories other than Prisma's N_name/migration.sql"
                + " and files other than .sql are not read; expected e.g. " + EXAMPLES + ")", found));
    }

    private static void duplicates(Map<Version, List<FileName>> byVersion, String what, List<CatalogProblem> problems) {
        byVersion.forEach((version, names) -> {
            if (names.size() > 1) {
                List<String> clash = names.stream().map(FileName::file).toList();
                problems.add(new CatalogProblem(Kind.DUPLICATE_VERSION, "version " + version + " is claimed by "
                        + what + " " + String.join(" and ", clash), clash));
            }
        });
    }

    /** Reads, normalises, checksums and parses the header of one file; null (with problems added) if unusable. */
    static MigrationScript read(Path path, boolean placeholdersEnabled, List<CatalogProblem> problems) {
        String text = decode(path, path.getFileName().toString(), problems);
        return text == null ? null : parse(path.getFileName().toString(), text, placeholdersEnabled, problems);
    }

    /** The file's text, line endings normalised; null (with a problem added) when it is no UTF-8 or unreadable. */
    static String decode(Path path, String file, List<CatalogProblem> problems) {
        try {
            return normalise(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString());
        } catch (CharacterCodingException e) {
            problems.add(new CatalogProblem(Kind.UNREADABLE_FILE, file + " is not UTF-8 text", List.of(file)));
            return null;
        } catch (IOException e) {
            problems.add(new CatalogProblem(Kind.UNREADABLE_FILE, file + " cannot be read: " + e.getMessage(),
                    List.of(file)));
            return null;
        }
    }

    /** Parses one script's text; exposed for callers that hold SQL in memory (tests, future lint). */
    public static MigrationScript parse(String file, String text, boolean placeholdersEnabled,
                                        List<CatalogProblem> problems) {
        return parse(file, text, placeholdersEnabled, false, 1, problems);
    }

    /**
     * {@code toolNoTransaction}: another tool's syntax (goose, dbmate) said no transaction, as the directive would;
     * {@code firstLine}: the line of its file the text starts on (a down section's, a changeset's), for messages.
     */
    static MigrationScript parse(String file, String text, boolean placeholdersEnabled, boolean toolNoTransaction,
                                 int firstLine, List<CatalogProblem> problems) {
        String sql = normalise(text);
        boolean noTransaction = toolNoTransaction;
        boolean placeholders = placeholdersEnabled;
        List<String> requires = new ArrayList<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        Map<String, Set<LintRule>> waivers = new TreeMap<>();
        LockPolicy.Overrides locks = LockPolicy.Overrides.NONE;
        int before = problems.size();
        for (Directives.Directive directive : Directives.leading(sql).directives()) {
            String argument = directive.argument();
            switch (directive.name().toLowerCase(Locale.ROOT)) {
                case "no-transaction" -> noTransaction = true;
                case "requires-extension" -> {
                    for (String ext : argument.split("[,\\s]+")) {
                        if (ext.isEmpty()) {
                            continue;
                        }
                        if (!EXTENSION.matcher(ext).matches()) {
                            problems.add(invalid(file, "requires-extension names '" + ext + "', not an extension name"));
                        } else if (!requires.contains(ext)) {
                            requires.add(ext);
                        }
                    }
                    if (argument.isBlank()) {
                        problems.add(invalid(file, "requires-extension needs an extension name"));
                    }
                }
                case "default" -> {
                    Matcher d = DEFAULT_VALUE.matcher(argument);
                    if (!d.matches()) {
                        problems.add(invalid(file, "default must read 'name=value', got '" + argument + "'"));
                    } else if (d.group(1).equals(MigrationScript.SCHEMA)) {
                        problems.add(invalid(file, "${schema} is always the tenant's schema and takes no default"));
                    } else {
                        defaults.put(d.group(1), d.group(2));
                    }
                }
                case "placeholders" -> {
                    switch (argument.toLowerCase()) {
                        case "off" -> placeholders = false;
                        case "on" -> placeholders = true;
                        default -> problems.add(invalid(file, "placeholders must be 'on' or 'off', got '" + argument + "'"));
                    }
                }
                case "lint-waive" -> waive(file, argument, waivers, problems);
                case "lock-timeouts" -> {
                    List<String> parts = List.of(argument.split("\\s*,\\s*", -1));
                    Optional<List<Duration>> timeouts = argument.isBlank() ? Optional.empty()
                            : LockPolicy.parseTimeouts(parts);
                    if (timeouts.isEmpty()) {
                        problems.add(invalid(file, "lock-timeouts must be positive durations separated by commas"
                                + " (100ms, 2s, 1m; at most 24h), got '" + argument + "'"));
                    } else {
                        locks = locks.then(new LockPolicy.Overrides(timeouts.get(), null, null));
                    }
                }
                case "lock-budget", "statement-timeout" -> {
                    Optional<Duration> d = LockPolicy.parseDuration(argument);
                    if (d.isEmpty()) {
                        problems.add(invalid(file, directive.name().toLowerCase(Locale.ROOT) + " must be a duration"
                                + " (500ms, 30s, 5m, 1h; at most 24h; 0 for none), got '" + argument + "'"));
                    } else {
                        locks = locks.then(directive.name().equalsIgnoreCase("lock-budget")
                                ? new LockPolicy.Overrides(null, d.get(), null)
                                : new LockPolicy.Overrides(null, null, d.get()));
                    }
                }
                default -> problems.add(new CatalogProblem(Kind.UNKNOWN_DIRECTIVE, file + " has unknown directive '"
                        + directive.name() + "' (known: no-transaction, requires-extension, default, placeholders,"
                        + " lint-waive, lock-timeouts, lock-budget, statement-timeout)", List.of(file)));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        boolean transactional = !noTransaction
                && SqlScript.split(sql).stream().noneMatch(SqlScript::requiresNoTransaction);
        // A transactional step runs in one transaction with its ledger row: its own BEGIN … COMMIT wrap is taken off,
        // other transaction control refused. A no-transaction file runs statement by statement and may group some.
        String runs = transactional ? TransactionWrap.strip(file, sql, firstLine, problems).orElse(sql) : sql;
        TenantBoundary.check(file, runs, firstLine, problems);
        if (problems.size() > before) {
            return null;
        }
        waivers.replaceAll((table, rules) -> Set.copyOf(rules));
        // The checksum stays the file's as written, wrap included: a wrapped file applied before the wrap was taken
        // off (when it ran, COMMIT and all) must not read as drifted. (A sqitch script arrives here unwrapped already,
        // and its checksum has always covered the unwrapped text.)
        MigrationScript script = new MigrationScript(file, runs, sha256(sql), transactional, List.copyOf(requires),
                Map.copyOf(defaults), placeholders, Collections.unmodifiableMap(waivers));
        return locks.none() ? script : script.withLocks(locks);
    }

    /** {@code lint-waive table rule[,rule…]}: every rule must be one the lint knows, or the waiver is a typo. */
    private static void waive(String file, String argument, Map<String, Set<LintRule>> waivers,
                              List<CatalogProblem> problems) {
        Matcher w = WAIVER.matcher(argument);
        if (!w.matches()) {
            problems.add(invalid(file, "lint-waive must read 'table rule[,rule…]', got '" + argument + "'"));
            return;
        }
        String quoted = w.group(1);
        // As PostgreSQL names it: quoted verbatim, unquoted folded to lower case.
        String table = quoted.startsWith("\"") ? quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"")
                : quoted.toLowerCase(Locale.ROOT);
        for (String name : w.group(2).split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            Optional<LintRule> rule = LintRule.byId(name);
            if (rule.isEmpty()) {
                problems.add(invalid(file, "lint-waive names unknown rule '" + name + "' (known: "
                        + Arrays.stream(LintRule.values()).map(LintRule::id).collect(Collectors.joining(", ")) + ")"));
            } else {
                waivers.computeIfAbsent(table, t -> EnumSet.noneOf(LintRule.class)).add(rule.get());
            }
        }
    }

    private static CatalogProblem invalid(String file, String message) {
        return new CatalogProblem(Kind.INVALID_DIRECTIVE, file + ": " + message, List.of(file));
    }

    /** Line endings and a byte-order mark must not change a checksum: editors and git differ on them. */
    static String normalise(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
