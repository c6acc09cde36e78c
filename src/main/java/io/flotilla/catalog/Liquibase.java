package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.Sections.Section;
import io.flotilla.sql.SqlScript;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Liquibase formatted SQL read in place: a {@code .sql} file whose first line is {@code --liquibase formatted sql}
 * holds changesets, each opened by {@code --changeset author:id [attribute:value …]}; every changeset is one step,
 * in file order (files in name order). A changeset's up script is its text from the changeset line to the next one
 * without its rollback lines; its rollback is its {@code --rollback} lines joined (or a {@code /* liquibase rollback
 * … *}{@code /} block), and {@code --rollback not required} / {@code empty} is a rollback that runs nothing.
 *
 * <p>Attributes: {@code runInTransaction:false} means no transaction (both directions, as Liquibase runs them);
 * {@code splitStatements}, {@code stripComments}, {@code endDelimiter:;} and {@code context(s)}/{@code labels} are
 * accepted and change nothing (Flotilla's splitter keeps bodies whole; Liquibase run without {@code --contexts} or
 * {@code --labels} runs every changeset, and so does Flotilla); {@code dbms} skips a changeset that would not run on
 * PostgreSQL (it keeps its number). What Flotilla cannot honour is refused by name: {@code runOnChange:true},
 * {@code runAlways:true}, {@code failOnError:false}, other end delimiters, preconditions.
 */
final class Liquibase {

    private static final Pattern HEADER = Pattern.compile("^--\\s*liquibase\\s+formatted\\s+sql\\b.*$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CHANGESET = Pattern.compile("^--\\s*changeset\\s+(\\S+?):(\\S+)(?:\\s+(.*))?$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ROLLBACK = Pattern.compile("^--\\s*rollback\\b\\s?(.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ROLLBACK_BLOCK = Pattern.compile("^/\\*\\s*liquibase\\s+rollback\\b(.*)$",
            Pattern.CASE_INSENSITIVE);
    /** Liquibase's other {@code --keyword} lines: read by Liquibase, so never silently a comment here. */
    private static final Pattern REFUSED = Pattern.compile(
            "^--\\s*(preconditions|precondition-[a-z-]+|validCheckSum|ignoreLines|property|include|includeAll)\\b.*$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NOTHING = Pattern.compile("^(not\\s+required|empty)\\s*;?$", Pattern.CASE_INSENSITIVE);

    private Liquibase() {
    }

    /** Whether the text (normalised) is a Liquibase formatted SQL file: its first line says so. */
    static boolean isFormatted(String text) {
        int end = text.indexOf('\n');
        return HEADER.matcher((end < 0 ? text : text.substring(0, end)).trim()).matches();
    }

    /** How many changesets the directory's formatted SQL files hold, skipped ones included (what numbers them). */
    static int count(Path directory) {
        int count = 0;
        try {
            for (Path file : MigrationResolver.sqlFiles(directory)) {
                String text = MigrationResolver.normalise(Files.readString(file));
                if (isFormatted(text)) {
                    count += (int) text.lines().filter(l -> CHANGESET.matcher(l.trim()).matches()).count();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the resolver read these files a moment ago; a file gone since counts as none
        }
        return count;
    }

    /** The file's changesets in order; problems (naming the file and the changeset) added. */
    static List<ToolStep> changesets(String file, String text, List<CatalogProblem> problems) {
        List<ToolStep> steps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String[] lines = text.split("\n", -1);
        int start = -1;
        for (int i = 1; i <= lines.length; i++) {
            boolean opens = i < lines.length && CHANGESET.matcher(lines[i].trim()).matches();
            if (!opens && i < lines.length) {
                continue;
            }
            if (start < 0) {
                String before = String.join("\n", List.of(lines).subList(1, i));
                if (!SqlScript.split(before).isEmpty()) {
                    problems.add(new CatalogProblem(Kind.INVALID_DIRECTIVE, file + " has SQL before its first"
                            + " --changeset line; every statement must belong to a changeset", List.of(file)));
                }
            } else {
                ToolStep step = changeset(file, List.of(lines).subList(start, i), start + 1, problems);
                if (step != null && !ids.add(step.name())) {
                    problems.add(new CatalogProblem(Kind.DUPLICATE_VERSION, file + " has changeset " + step.name()
                            + " twice; Liquibase identifies a changeset by its file, author and id", List.of(file)));
                } else if (step != null) {
                    steps.add(step);
                }
            }
            start = i;
        }
        if (start < 0 && problems.stream().noneMatch(p -> p.files().contains(file))) {
            problems.add(new CatalogProblem(Kind.INVALID_DIRECTIVE, file + " is a Liquibase formatted SQL file without"
                    + " a --changeset line", List.of(file)));
        }
        return steps;
    }

    /** One changeset from its {@code --changeset} line ({@code lines.get(0)}, line {@code number} of the file). */
    private static ToolStep changeset(String file, List<String> lines, int number, List<CatalogProblem> problems) {
        Matcher c = CHANGESET.matcher(lines.get(0).trim());
        c.matches();
        String id = c.group(2);
        String name = id + " (" + c.group(1) + ")";
        String where = file + " changeset " + c.group(1) + ":" + id + " (line " + number + ")";
        int before = problems.size();
        boolean noTransaction = false;
        boolean skipped = false;
        for (String attribute : c.group(3) == null ? new String[0] : c.group(3).trim().split("\\s+")) {
            int colon = attribute.indexOf(':');
            String key = colon < 0 ? attribute : attribute.substring(0, colon);
            String value = colon < 0 ? "" : attribute.substring(colon + 1);
            switch (key) {
                case "runInTransaction" -> noTransaction = value.equalsIgnoreCase("false");
                case "splitStatements", "stripComments", "context", "contexts", "labels", "logicalFilePath" -> { }
                case "endDelimiter" -> {
                    if (!value.equals(";")) {
                        problems.add(invalid(file, where, "has endDelimiter:" + value + "; Flotilla splits statements at ;"
                                + " only"));
                    }
                }
                case "dbms" -> skipped = !forPostgres(value);
                case "runOnChange", "runAlways" -> {
                    if (!value.equalsIgnoreCase("false")) {
                        problems.add(invalid(file, where, "has " + attribute + ", which Flotilla does not support: a"
                                + " step runs once, and a changed file is drift"));
                    }
                }
                case "failOnError" -> {
                    if (!value.equalsIgnoreCase("true")) {
                        problems.add(invalid(file, where, "has " + attribute + ", which Flotilla does not support: a"
                                + " failed step stops the company's migration"));
                    }
                }
                default -> problems.add(invalid(file, where, "has attribute " + attribute + ", which Flotilla does not"
                        + " support (known: runInTransaction, splitStatements, stripComments, endDelimiter, context,"
                        + " contexts, labels, dbms, runOnChange:false, runAlways:false, failOnError:true)"));
            }
        }
        StringBuilder up = new StringBuilder(lines.get(0)).append('\n');
        List<String> rollback = new ArrayList<>();
        boolean nothing = false;
        boolean inBlock = false;
        Matcher refused = REFUSED.matcher("");
        for (String line : lines.subList(1, lines.size())) {
            String trimmed = line.trim();
            if (inBlock) {
                int end = line.indexOf("*/");
                if (end >= 0) {
                    rollback.add(line.substring(0, end));
                    inBlock = false;
                } else {
                    rollback.add(line);
                }
                up.append('\n');
                continue;
            }
            Matcher r = ROLLBACK.matcher(trimmed);
            Matcher block = ROLLBACK_BLOCK.matcher(trimmed);
            if (r.matches()) {
                if (NOTHING.matcher(r.group(1).trim()).matches()) {
                    nothing = true;
                } else {
                    rollback.add(r.group(1));
                }
                up.append('\n'); // the up script keeps the file's line numbers
            } else if (block.matches()) {
                String rest = block.group(1);
                int end = rest.indexOf("*/");
                rollback.add(end >= 0 ? rest.substring(0, end) : rest);
                inBlock = end < 0;
                up.append('\n');
            } else if (refused.reset(trimmed).matches()) {
                problems.add(invalid(file, where, "has a --" + refused.group(1) + " line, which Flotilla does not"
                        + " support (preconditions, checksum overrides and properties are Liquibase's own)"));
                up.append('\n');
            } else {
                up.append(line).append('\n');
            }
        }
        if (inBlock) {
            problems.add(invalid(file, where, "opens a /* liquibase rollback block that is never closed"));
        }
        if (problems.size() > before) {
            return null;
        }
        String rollbackSql = String.join("\n", rollback).strip();
        Section down = rollbackSql.isEmpty() && !nothing ? null
                : new Section("-- rollback of changeset " + c.group(1) + ":" + id
                + (rollbackSql.isEmpty() ? " (not required: runs nothing)\n" : "\n" + rollbackSql + "\n"),
                noTransaction && !rollbackSql.isEmpty()); // nothing to run: in the ledger row's transaction
        String text = up.toString().replaceFirst("\n+$", "\n");
        return new ToolStep(file, down == null ? null : file, name, new Section(text, noTransaction), down, skipped);
    }

    /** {@code dbms:postgresql,h2}, {@code dbms:!oracle}, {@code all}, {@code none}: whether PostgreSQL is meant. */
    private static boolean forPostgres(String list) {
        boolean anyPositive = false;
        boolean included = false;
        for (String item : list.toLowerCase(Locale.ROOT).split(",")) {
            String dbms = item.trim();
            if (dbms.startsWith("!")) {
                if (dbms.substring(1).equals("postgresql")) {
                    return false;
                }
            } else if (!dbms.isEmpty()) {
                anyPositive = true;
                included |= dbms.equals("postgresql") || dbms.equals("all");
            }
        }
        return !anyPositive || included;
    }

    private static CatalogProblem invalid(String file, String where, String message) {
        return new CatalogProblem(Kind.INVALID_DIRECTIVE, where + " " + message, List.of(file));
    }
}
