package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.Layout.FileName;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
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
        for (Path path : files) {
            String fileName = path.getFileName().toString();
            if (fileName.startsWith("R__")) {
                problems.add(new CatalogProblem(Kind.UNSUPPORTED_FILE, fileName
                        + " is a Flyway repeatable migration; Flotilla applies versioned migrations only",
                        List.of(fileName)));
                continue;
            }
            Optional<FileName> classified = Layout.classify(fileName);
            if (classified.isEmpty()) {
                problems.add(new CatalogProblem(Kind.UNRECOGNISED_FILE, fileName
                        + " matches no known layout (expected e.g. 001_name.sql, rollback_001_name.sql,"
                        + " 1_name.up.sql, V1__name.sql or 1.name.sql)", List.of(fileName)));
                continue;
            }
            FileName name = classified.get();
            byLayout.computeIfAbsent(name.layout(), l -> new ArrayList<>()).add(fileName);
            (name.down() ? downs : ups).computeIfAbsent(name.version(), v -> new ArrayList<>()).add(name);
        }
        if (byLayout.size() > 1) {
            problems.add(new CatalogProblem(Kind.MIXED_LAYOUTS, "one directory must use one layout, found "
                    + byLayout.entrySet().stream()
                    .map(e -> e.getKey().label() + ": " + String.join(", ", e.getValue()))
                    .collect(Collectors.joining(" and ")),
                    byLayout.values().stream().flatMap(List::stream).toList()));
        }
        duplicates(ups, "migrations", problems);
        duplicates(downs, "rollback files", problems);
        downs.forEach((version, names) -> {
            if (!ups.containsKey(version)) {
                List<String> unpaired = names.stream().map(FileName::file).toList();
                problems.add(new CatalogProblem(Kind.UNPAIRED_ROLLBACK, String.join(", ", unpaired)
                        + " undoes version " + version + ", which has no migration file", unpaired));
            }
        });

        // Every file is read, even one already in trouble, so that all its problems show at once.
        Map<String, MigrationScript> scripts = new LinkedHashMap<>();
        Stream.concat(ups.values().stream(), downs.values().stream()).flatMap(List::stream)
                .forEach(name -> scripts.put(name.file(), read(directory.resolve(name.file()), placeholders, problems)));
        List<Migration> migrations = new ArrayList<>();
        for (var entry : ups.entrySet()) {
            FileName up = entry.getValue().get(0);
            List<FileName> downNames = downs.get(entry.getKey());
            MigrationScript upScript = scripts.get(up.file());
            if (upScript != null) {
                migrations.add(new Migration(entry.getKey(), up.name(), upScript,
                        downNames == null ? null : scripts.get(downNames.get(0).file())));
            }
        }
        if (!problems.isEmpty()) {
            return new Resolution(directory, Optional.empty(), problems);
        }
        Layout layout = byLayout.isEmpty() ? Layout.FLOTILLA : byLayout.keySet().iterator().next();
        return new Resolution(directory, Optional.of(new MigrationCatalog(directory, layout, migrations)), problems);
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
        String file = path.getFileName().toString();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (CharacterCodingException e) {
            problems.add(new CatalogProblem(Kind.UNREADABLE_FILE, file + " is not UTF-8 text", List.of(file)));
            return null;
        } catch (IOException e) {
            problems.add(new CatalogProblem(Kind.UNREADABLE_FILE, file + " cannot be read: " + e.getMessage(),
                    List.of(file)));
            return null;
        }
        return parse(file, text, placeholdersEnabled, problems);
    }

    /** Parses one script's text; exposed for callers that hold SQL in memory (tests, future lint). */
    public static MigrationScript parse(String file, String text, boolean placeholdersEnabled,
                                        List<CatalogProblem> problems) {
        String sql = normalise(text);
        boolean noTransaction = false;
        boolean placeholders = placeholdersEnabled;
        List<String> requires = new ArrayList<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        Map<String, Set<LintRule>> waivers = new TreeMap<>();
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
                default -> problems.add(new CatalogProblem(Kind.UNKNOWN_DIRECTIVE, file + " has unknown directive '"
                        + directive.name() + "' (known: no-transaction, requires-extension, default, placeholders,"
                        + " lint-waive)", List.of(file)));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        boolean transactional = !noTransaction
                && SqlScript.split(sql).stream().noneMatch(SqlScript::requiresNoTransaction);
        waivers.replaceAll((table, rules) -> Set.copyOf(rules));
        return new MigrationScript(file, sql, sha256(sql), transactional, List.copyOf(requires),
                Map.copyOf(defaults), placeholders, Collections.unmodifiableMap(waivers));
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
