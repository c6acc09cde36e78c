package io.flotilla;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape of the code, read from its sources: the packages (one per concept) depend on each other without a
 * cycle, so each can be read and changed from the bottom up; advisory locks are taken in one place; every package
 * says what it owns.
 */
class ArchitectureTest {

    private static final Path ROOT = Path.of("src/main/java/io/flotilla");
    /** A use of another package's type: an import, or a fully qualified name in code. */
    private static final Pattern USE = Pattern.compile("\\bio\\.flotilla\\.(\\w+)\\.(?:\\w+\\.)*[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void noPackageDependsOnAPackageThatDependsOnIt() {
        Map<String, Set<String>> uses = uses();
        List<String> cycles = new ArrayList<>();
        for (String from : uses.keySet()) {
            List<String> path = pathBack(uses, from);
            if (path != null) {
                cycles.add(String.join(" -> ", path));
            }
        }
        assertTrue(cycles.isEmpty(), "package cycles: " + cycles + "\n(uses: " + uses + ")");
        assertTrue(uses.get("api").contains("rollout") && uses.get("rollout").contains("sql"),
                "the reading found the known uses: " + uses);
    }

    @Test
    void advisoryLocksAreTakenInOnePlace() throws IOException {
        Set<String> taking = new TreeSet<>();
        for (Path file : sources()) {
            if (code(file).contains("pg_advisory") || code(file).contains("pg_try_advisory")) {
                taking.add(ROOT.relativize(file).toString());
            }
        }
        assertEquals(Set.of("sql/AdvisoryLocks.java"), taking);
    }

    @Test
    void whatASchemaNeedsIsPlannedInOnePlace() {
        // Every path that runs steps (rollouts, onboarding, a company's migrate, moves, the lint and verification's
        // builds) takes its plan from MigrationPlanner: nothing else makes one.
        Set<String> making = new TreeSet<>();
        for (Path file : sources()) {
            String code = code(file);
            if (code.contains("new MigrationPlanner.Plan(") || !file.endsWith("MigrationPlanner.java")
                    && code.contains("import io.flotilla.migration.MigrationPlanner.Plan;") && code.contains("new Plan(")) {
                making.add(ROOT.relativize(file).toString());
            }
        }
        assertTrue(making.isEmpty(), "plans made outside migration/MigrationPlanner: " + making);
        assertTrue(code(ROOT.resolve("migration/MigrationPlanner.java")).contains("new Plan("), "the planner makes them");
    }

    @Test
    void everyPackageSaysWhatItOwns() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            List<String> without = dirs.filter(Files::isDirectory)
                    .filter(d -> !Files.isRegularFile(d.resolve("package-info.java")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(without.isEmpty(), "packages without a package-info.java: " + without);
        }
    }

    /** The shortest path of uses from {@code start} back to itself, or null. */
    private static List<String> pathBack(Map<String, Set<String>> uses, String start) {
        Map<String, String> cameFrom = new TreeMap<>();
        Deque<String> queue = new ArrayDeque<>(uses.getOrDefault(start, Set.of()));
        uses.getOrDefault(start, Set.of()).forEach(next -> cameFrom.put(next, start));
        while (!queue.isEmpty()) {
            String at = queue.poll();
            if (at.equals(start)) {
                List<String> path = new ArrayList<>();
                String step = cameFrom.get(start);
                path.add(start);
                while (!step.equals(start)) {
                    path.add(0, step);
                    step = cameFrom.get(step);
                }
                path.add(0, start);
                return path;
            }
            for (String next : uses.getOrDefault(at, Set.of())) {
                if (!cameFrom.containsKey(next)) {
                    cameFrom.put(next, at);
                    queue.add(next);
                }
            }
        }
        return null;
    }

    /** Each package (first level under io.flotilla) and the other packages its code uses. */
    private static Map<String, Set<String>> uses() {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : sources()) {
            String pkg = ROOT.relativize(file).getName(0).toString();
            if (ROOT.relativize(file).getNameCount() == 1) {
                continue;
            }
            Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
            Matcher m = USE.matcher(code(file));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    used.add(m.group(1));
                }
            }
        }
        return uses;
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file without its comments: a Javadoc link is no dependency. */
    private static String code(Path file) {
        try {
            return COMMENT.matcher(Files.readString(file)).replaceAll(" ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
