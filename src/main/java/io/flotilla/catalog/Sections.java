package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.sql.SqlScript;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files that hold both directions, cut in two at their marker lines: goose ({@code -- +goose Up} / {@code Down}) and
 * dbmate ({@code -- migrate:up} / {@code down}). Their names are Flotilla names, so a file holding such markers is
 * read here first: run whole, its down section would run as part of its up.
 *
 * <p>The up script is the file from its start to the down marker (header comments and the up marker included, so
 * that {@code -- flotilla:} directives there are read and line numbers stay the file's); the down script runs from
 * the down marker to the end. Each has its own checksum.
 */
final class Sections {

    private static final Pattern GOOSE = Pattern.compile("^--\\s*\\+goose\\b\\s*(.*?)\\s*$");
    /** Only up and down: dbmate knows no other, and {@code -- migrate: users to v2} is an ordinary comment. */
    private static final Pattern DBMATE = Pattern.compile("^--\\s*migrate:(up|down)(?:\\s+(.*?))?\\s*$",
            Pattern.CASE_INSENSITIVE);

    /** One direction of a two-section file: its text, and whether the tool's own syntax says no transaction. */
    record Section(String sql, boolean noTransaction) {
    }

    /** Both directions; {@code down} is empty when the file has no down section. */
    record Split(Section up, Optional<Section> down) {
    }

    private Sections() {
    }

    /** The two-section layout whose markers the text holds, if any; both kinds at once is a problem. */
    static Optional<Layout> detect(String file, String text, List<CatalogProblem> problems) {
        boolean goose = false;
        boolean dbmate = false;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.trim();
            goose |= GOOSE.matcher(trimmed).matches();
            dbmate |= DBMATE.matcher(trimmed).matches();
        }
        if (goose && dbmate) {
            problems.add(new CatalogProblem(Kind.UNRECOGNISED_FILE, file + " holds both goose (-- +goose) and dbmate"
                    + " (-- migrate:) section markers; it must use one tool's", List.of(file)));
            return Optional.empty();
        }
        return goose ? Optional.of(Layout.GOOSE) : dbmate ? Optional.of(Layout.DBMATE) : Optional.empty();
    }

    /** Cuts a goose or dbmate file (text already normalised) in two; empty, with problems added, if it is malformed. */
    static Optional<Split> split(String file, String text, Layout layout, List<CatalogProblem> problems) {
        int before = problems.size();
        boolean goose = layout == Layout.GOOSE;
        String upMarker = goose ? "-- +goose Up" : "-- migrate:up";
        String downMarker = goose ? "-- +goose Down" : "-- migrate:down";
        int upAt = -1;
        int downAt = -1;
        boolean fileNoTransaction = false;
        boolean upNoTransaction = false;
        boolean downNoTransaction = false;
        int blockFrom = -1; // offset of the text after an open StatementBegin
        List<String> blocks = new ArrayList<>();
        int offset = 0;
        for (String line : text.split("\n", -1)) {
            int lineStart = offset;
            offset += line.length() + 1;
            String trimmed = line.trim();
            Matcher m = (goose ? GOOSE : DBMATE).matcher(trimmed);
            if (!m.matches()) {
                continue;
            }
            String command = goose ? m.group(1).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ")
                    : m.group(1).toLowerCase(Locale.ROOT);
            switch (command) {
                case "up" -> {
                    if (upAt >= 0) {
                        problems.add(malformed(file, "has a second " + upMarker + " line"));
                    } else if (downAt >= 0) {
                        problems.add(malformed(file, "has its " + upMarker + " after " + downMarker
                                + "; put the up section first"));
                    }
                    upAt = upAt < 0 ? lineStart : upAt;
                    upNoTransaction = !goose && noTransaction(file, m.group(2), problems);
                }
                case "down" -> {
                    if (downAt >= 0) {
                        problems.add(malformed(file, "has a second " + downMarker + " line"));
                    }
                    if (blockFrom >= 0) {
                        problems.add(malformed(file, "opens -- +goose StatementBegin without a StatementEnd"));
                        blockFrom = -1;
                    }
                    downAt = downAt < 0 ? lineStart : downAt;
                    downNoTransaction = !goose && noTransaction(file, m.group(2), problems);
                }
                case "no transaction" -> fileNoTransaction = true;
                case "statementbegin" -> {
                    if (blockFrom >= 0) {
                        problems.add(malformed(file, "opens a -- +goose StatementBegin inside another"));
                    }
                    blockFrom = offset;
                }
                case "statementend" -> {
                    if (blockFrom < 0) {
                        problems.add(malformed(file, "has a -- +goose StatementEnd without a StatementBegin"));
                    } else {
                        blocks.add(text.substring(blockFrom, lineStart));
                        blockFrom = -1;
                    }
                }
                default -> problems.add(malformed(file, "has " + trimmed + ", which Flotilla does not support"
                        + (goose ? " (known: Up, Down, StatementBegin, StatementEnd, NO TRANSACTION)"
                        : " (known: -- migrate:up, -- migrate:down, each with an optional transaction:false)")));
            }
        }
        if (blockFrom >= 0) {
            problems.add(malformed(file, "opens -- +goose StatementBegin without a StatementEnd"));
        }
        if (upAt < 0) {
            problems.add(malformed(file, "has no " + upMarker + " line, so nothing in it is known to apply"));
        }
        if (upAt > 0 && !SqlScript.split(text.substring(0, upAt)).isEmpty()) {
            // The tools refuse SQL before the up marker rather than guess its direction; so does Flotilla.
            problems.add(malformed(file, "has SQL before its " + upMarker + " line; only comments may come first"));
        }
        if (fileNoTransaction) {
            // Outside a transaction a script runs statement by statement, split by Flotilla's lexer: a block goose
            // sends as one statement must stay one, or the file would not run as goose runs it.
            for (String block : blocks) {
                int statements = SqlScript.split(block).size();
                if (statements > 1) {
                    problems.add(malformed(file, "is -- +goose NO TRANSACTION, and a StatementBegin/StatementEnd"
                            + " block in it holds " + statements + " statements; put each in a block of its own"));
                }
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        String up = downAt < 0 ? text : text.substring(0, downAt);
        Optional<Section> down = downAt < 0 ? Optional.empty()
                : Optional.of(new Section(text.substring(downAt), fileNoTransaction || downNoTransaction));
        return Optional.of(new Split(new Section(up, fileNoTransaction || upNoTransaction), down));
    }

    /** dbmate's options after the marker: {@code transaction:false} is the only one it has. */
    private static boolean noTransaction(String file, String options, List<CatalogProblem> problems) {
        if (options == null) {
            return false;
        }
        boolean off = false;
        for (String option : options.split("\\s+")) {
            switch (option.toLowerCase(Locale.ROOT)) {
                case "" , "transaction:true" -> { }
                case "transaction:false" -> off = true;
                default -> problems.add(malformed(file, "has unknown dbmate option '" + option
                        + "' (known: transaction:false)"));
            }
        }
        return off;
    }

    private static CatalogProblem malformed(String file, String message) {
        return new CatalogProblem(Kind.INVALID_DIRECTIVE, file + " " + message, List.of(file));
    }
}
