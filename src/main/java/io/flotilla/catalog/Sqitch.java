package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.Sections.Section;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sqitch project read in place: {@code sqitch.plan} gives the order and the names, {@code deploy/name.sql} each
 * change's up script and {@code revert/name.sql} its rollback (none when missing). A change's version is its 1-based
 * position in the plan, which sqitch keeps append-only (a deployed change is never moved or removed), so the numbers
 * stay stable. {@code verify/} scripts are not run: Flotilla verifies a schema by comparing it with a scratch build.
 *
 * <p>Dependencies ({@code [a b]}) must name earlier changes of the same project, and a conflict ({@code !a}) must not
 * name one; both are checked, not run. A reworked change (a name repeated after a tag) reads its earlier instance from
 * {@code deploy/name@tag.sql}, the tag being the first tag after that instance whose file exists, as sqitch does.
 *
 * <p>sqitch's templates wrap each script in {@code BEGIN;} … {@code COMMIT;}. Flotilla runs each step in its own
 * transaction together with its ledger row, so that leading BEGIN and trailing COMMIT are blanked out of the text
 * that runs ({@link TransactionWrap}, as for every layout), and the checksum covers that text (what runs is what is
 * checksummed); a script that opens or ends a transaction anywhere else is refused. A script without them runs as any
 * Flotilla script does.
 */
final class Sqitch {

    static final String PLAN = "sqitch.plan";
    static final String CONF = "sqitch.conf";

    /** {@code [+]name [deps] 2013-12-30T23:19:37Z Planner Name <email> # note}; a {@code -name} line reverts. */
    private static final Pattern CHANGE = Pattern.compile(
            "^([+-]?)([^\\s\\[\\]#@:]+)\\s*(?:\\[([^\\]]*)\\])?\\s+(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z)\\s+(.+?)\\s*(?:#.*)?$");
    private static final Pattern TAG = Pattern.compile("^@([^\\s@:#]+)\\s.*$|^@([^\\s@:#]+)$");
    private static final Pattern PROJECT = Pattern.compile("^%\\s*project\\s*=\\s*(\\S+)\\s*$");

    /** One change line, and the tags that follow it before the next change. */
    private record Change(int line, String name, List<String> tagsAfter) {
    }

    private Sqitch() {
    }

    /** The plan's changes as steps, in plan order; problems (each naming the plan or the script) added. */
    static List<ToolStep> read(Path directory, List<CatalogProblem> problems) {
        String plan = MigrationResolver.decode(directory.resolve(PLAN), PLAN, problems);
        if (plan == null) {
            return List.of();
        }
        int before = problems.size();
        List<Change> changes = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        String project = null;
        String[] lines = plan.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            int number = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("%")) {
                Matcher p = PROJECT.matcher(line);
                project = p.matches() ? p.group(1) : project;
                continue;
            }
            if (line.startsWith("@")) {
                Matcher t = TAG.matcher(line);
                if (!t.matches() || changes.isEmpty()) {
                    problems.add(plan(number, changes.isEmpty() ? "has a tag before any change" : "has a tag line"
                            + " Flotilla cannot read: " + line));
                    continue;
                }
                String tag = t.group(1) != null ? t.group(1) : t.group(2);
                tags.add(tag);
                changes.get(changes.size() - 1).tagsAfter().add(tag);
                continue;
            }
            Matcher c = CHANGE.matcher(line);
            if (!c.matches()) {
                problems.add(plan(number, "is neither a change (name [deps] timestamp planner <email> # note), a tag"
                        + " (@tag …) nor a pragma (%name=value): " + line));
                continue;
            }
            String name = c.group(2);
            if (c.group(1).equals("-")) {
                problems.add(plan(number, "reverts change " + name + " (a '-' line); Flotilla reads deploy-only plans"));
                continue;
            }
            if (name.contains("..") || name.startsWith("/") || name.contains("\\")) {
                problems.add(plan(number, "names change " + name + ", which is no path inside deploy/"));
                continue;
            }
            if (c.group(3) != null) {
                dependencies(number, name, c.group(3), project, changes, tags, problems);
            }
            Optional<Change> previous = last(changes, name);
            if (previous.isPresent() && !tagged(changes, previous.get())) {
                problems.add(plan(number, "repeats change " + name + " with no tag since its line "
                        + previous.get().line() + "; sqitch reworks a change only after a tag"));
                continue;
            }
            changes.add(new Change(number, name, new ArrayList<>()));
        }
        if (problems.size() > before) {
            return List.of();
        }
        List<ToolStep> steps = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            String base = scriptName(directory, change, reworkTags(changes, i));
            String deploy = "deploy/" + base + ".sql";
            String revert = "revert/" + base + ".sql";
            Path deployPath = directory.resolve(deploy);
            if (!Files.isRegularFile(deployPath)) {
                problems.add(new CatalogProblem(Kind.UNRECOGNISED_FILE, PLAN + " line " + change.line() + " names change "
                        + change.name() + ", but " + deploy + " does not exist", List.of(PLAN, deploy)));
                continue;
            }
            Section up = script(directory, deploy, problems);
            Section down = Files.isRegularFile(directory.resolve(revert)) ? script(directory, revert, problems) : null;
            if (up != null) {
                steps.add(new ToolStep(deploy, down == null ? null : revert, change.name(), up, down, false));
            }
        }
        return steps;
    }

    /** Checks a change's {@code [a b !c other:d e@tag]} list against the changes and tags before it. */
    private static void dependencies(int number, String name, String list, String project, List<Change> changes,
                                     List<String> tags, List<CatalogProblem> problems) {
        for (String dependency : list.trim().split("\\s+")) {
            if (dependency.isEmpty()) {
                continue;
            }
            boolean conflict = dependency.startsWith("!");
            String target = conflict ? dependency.substring(1) : dependency;
            int colon = target.indexOf(':');
            if (colon >= 0) {
                if (!target.substring(0, colon).equals(project)) {
                    problems.add(plan(number, "makes change " + name + " depend on " + dependency
                            + ", a change of another project; Flotilla reads one project"));
                    continue;
                }
                target = target.substring(colon + 1);
            }
            int at = target.indexOf('@');
            String changeName = at >= 0 ? target.substring(0, at) : target;
            boolean earlier = changeName.isEmpty() || last(changes, changeName).isPresent();
            boolean tagged = at < 0 || tags.contains(target.substring(at + 1));
            if (conflict && earlier && !changeName.isEmpty()) {
                problems.add(plan(number, "says change " + name + " conflicts with " + changeName
                        + ", which an earlier line deploys"));
            } else if (!conflict && !(earlier && tagged)) {
                problems.add(plan(number, "makes change " + name + " require " + dependency
                        + ", which no earlier line of the plan deploys"));
            }
        }
    }

    private static Optional<Change> last(List<Change> changes, String name) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            if (changes.get(i).name().equals(name)) {
                return Optional.of(changes.get(i));
            }
        }
        return Optional.empty();
    }

    /** Whether a tag follows {@code previous} (on it or any later change so far). */
    private static boolean tagged(List<Change> changes, Change previous) {
        return changes.subList(changes.indexOf(previous), changes.size()).stream()
                .anyMatch(c -> !c.tagsAfter().isEmpty());
    }

    /** For a change reworked later, the tags between it and its next instance, in order; else empty. */
    private static List<String> reworkTags(List<Change> changes, int index) {
        String name = changes.get(index).name();
        List<String> tags = new ArrayList<>();
        for (int j = index; j < changes.size(); j++) {
            if (j > index && changes.get(j).name().equals(name)) {
                return tags;
            }
            tags.addAll(changes.get(j).tagsAfter());
        }
        return List.of();
    }

    /** {@code name}, or {@code name@tag} for an earlier instance of a reworked change (first tag whose file exists). */
    private static String scriptName(Path directory, Change change, List<String> reworkTags) {
        for (String tag : reworkTags) {
            if (Files.isRegularFile(directory.resolve("deploy/" + change.name() + "@" + tag + ".sql"))) {
                return change.name() + "@" + tag;
            }
        }
        return reworkTags.isEmpty() ? change.name() : change.name() + "@" + reworkTags.get(0);
    }

    private static Section script(Path directory, String file, List<CatalogProblem> problems) {
        String text = MigrationResolver.decode(directory.resolve(file), file, problems);
        return text == null ? null : TransactionWrap.strip(file, text, problems).map(sql -> new Section(sql, false))
                .orElse(null);
    }

    private static CatalogProblem plan(int line, String message) {
        return new CatalogProblem(Kind.INVALID_DIRECTIVE, PLAN + " line " + line + " " + message, List.of(PLAN));
    }

    /** The planner {@code sqitch add} would write: sqitch.conf's {@code [user]} name and email, else Flotilla's. */
    static String planner(Path directory) {
        Map<String, String> user = new HashMap<>();
        Path conf = directory.resolve(CONF);
        if (Files.isRegularFile(conf)) {
            try {
                String section = "";
                for (String raw : Files.readAllLines(conf)) {
                    String line = raw.trim();
                    if (line.startsWith("[")) {
                        section = line.replaceAll("[\\[\\]\\s\"]", "").toLowerCase(Locale.ROOT);
                    } else if (section.equals("user") && line.contains("=")) {
                        int eq = line.indexOf('=');
                        user.put(line.substring(0, eq).trim().toLowerCase(Locale.ROOT),
                                line.substring(eq + 1).trim().replaceAll("^\"(.*)\"$", "$1"));
                    }
                }
            } catch (IOException e) {
                // unreadable: Flotilla's own planner
            }
        }
        String name = user.getOrDefault("name", "flotilla");
        String email = user.getOrDefault("email", "flotilla@localhost");
        return name + " <" + email + ">";
    }

    /** The project name the plan declares, for the scripts' header comments. */
    static String project(Path directory) {
        try {
            for (String line : Files.readAllLines(directory.resolve(PLAN))) {
                Matcher p = PROJECT.matcher(line.trim());
                if (p.matches()) {
                    return p.group(1);
                }
            }
        } catch (IOException e) {
            // no project name: the headers go without it
        }
        return null;
    }
}
