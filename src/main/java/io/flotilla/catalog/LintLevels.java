package io.flotilla.catalog;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The level of each lint rule, from the optional {@value #FILE} in the migration directory: one {@code rule = level}
 * per line ({@code error}, {@code warning} or {@code off}; {@code #} starts a comment). A properties file rather than
 * YAML, whose 1.1 booleans would read {@code off} as {@code false}. A rule the file does not name keeps its default;
 * an unknown rule or level is a catalog problem naming the file, never ignored.
 *
 * @param levels   every rule's level
 * @param problems what is wrong with the file; empty when it is absent or right
 */
public record LintLevels(Map<LintRule, LintLevel> levels, List<CatalogProblem> problems) {

    public static final String FILE = "flotilla-lint.properties";

    public LintLevels {
        levels = Collections.unmodifiableMap(new EnumMap<>(levels));
        problems = List.copyOf(problems);
    }

    /** Every rule at its default level. */
    public static LintLevels defaults() {
        return of(Map.of());
    }

    public static LintLevels of(Map<LintRule, LintLevel> set) {
        Map<LintRule, LintLevel> levels = new EnumMap<>(LintRule.class);
        Arrays.stream(LintRule.values()).forEach(r -> levels.put(r, set.getOrDefault(r, r.defaultLevel())));
        return new LintLevels(levels, List.of());
    }

    public LintLevel level(LintRule rule) {
        return levels.get(rule);
    }

    /** Reads {@code directory}/{@value #FILE}; every rule at its default when there is none. */
    public static LintLevels read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return defaults();
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) { // unreadable, or not UTF-8, or a malformed \\u escape
            return new LintLevels(defaults().levels(), List.of(problem("cannot be read: " + e.getMessage())));
        }
    }

    static LintLevels parse(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<LintRule, LintLevel> set = new EnumMap<>(LintRule.class);
        List<CatalogProblem> problems = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            String value = properties.getProperty(name).trim();
            var rule = LintRule.byId(name.trim());
            var level = LintLevel.byId(value);
            if (rule.isEmpty()) {
                problems.add(problem("names unknown rule '" + name + "' (known: " + Arrays.stream(LintRule.values())
                        .map(LintRule::id).collect(Collectors.joining(", ")) + ")"));
            } else if (level.isEmpty()) {
                problems.add(problem("sets rule " + rule.get().id() + " to unknown level '" + value
                        + "' (known: error, warning, off)"));
            } else {
                set.put(rule.get(), level.get());
            }
        }
        LintLevels read = of(set);
        return new LintLevels(read.levels(), problems);
    }

    private static CatalogProblem problem(String what) {
        return new CatalogProblem(CatalogProblem.Kind.INVALID_LINT_LEVELS, FILE + " " + what, List.of(FILE));
    }
}
