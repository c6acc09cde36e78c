package io.flotilla.catalog;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.sql.SqlScript;
import io.flotilla.sql.SqlScript.Statement;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A transactional script's own transaction control. Flotilla runs each step in one transaction together with its
 * ledger row, so a {@code COMMIT} in the middle of a script would commit what came before it without that row, and a
 * failure after it would leave that part behind while the ledger says the step failed. Many tools' files (sqitch's
 * templates, plain SQL directories) wrap themselves whole in {@code BEGIN;} … {@code COMMIT;}: that wrap is taken off
 * (its text removed, its lines kept, so that line numbers and leading-comment directives stay the file's); any other
 * transaction control is refused. {@code SAVEPOINT}, {@code RELEASE} and {@code ROLLBACK TO} stay inside the step's
 * transaction and are left alone, and so is anything inside a routine's or a DO block's body.
 */
final class TransactionWrap {

    private TransactionWrap() {
    }

    /**
     * The script without a leading {@code BEGIN;} and trailing {@code COMMIT;} pair; the text as it is when it has
     * neither; empty, with a problem naming the file and line, when it opens or ends a transaction anywhere else.
     */
    static Optional<String> strip(String file, String text, List<CatalogProblem> problems) {
        return strip(file, text, 1, problems);
    }

    /** {@link #strip(String, String, List)} for a script that starts on line {@code firstLine} of its file. */
    static Optional<String> strip(String file, String text, int firstLine, List<CatalogProblem> problems) {
        List<Statement> statements = SqlScript.statements(text);
        boolean opens = !statements.isEmpty() && begins(statements.get(0).text());
        boolean closes = statements.size() > 1 && commits(statements.get(statements.size() - 1).text());
        if (opens != closes) {
            Statement at = opens ? statements.get(0) : statements.get(statements.size() - 1);
            problems.add(problem(file, firstLine, at, opens ? "opens a transaction with " + firstLine(at) + " but does not end"
                    + " with COMMIT" : "ends with " + firstLine(at) + " but does not open with BEGIN"));
            return Optional.empty();
        }
        List<Statement> inner = opens ? statements.subList(1, statements.size() - 1) : statements;
        for (Statement statement : inner) {
            if (controlsTransaction(statement.text())) {
                problems.add(problem(file, firstLine, statement, "holds " + firstLine(statement) + " between its first and"
                        + " last statements: it would end the step's transaction there, committing or undoing part of"
                        + " the step apart from its ledger row (a step runs in one transaction with its ledger row:"
                        + " only a leading BEGIN and a trailing COMMIT, which Flotilla takes off, may manage it, while"
                        + " SAVEPOINT and ROLLBACK TO may stay)"));
                return Optional.empty();
            }
        }
        if (!opens) {
            return Optional.of(text);
        }
        Statement first = statements.get(0);
        Statement last = statements.get(statements.size() - 1);
        return Optional.of(text.substring(0, first.start()) + newlines(text, first)
                + text.substring(first.end(), last.start()) + newlines(text, last) + text.substring(last.end()));
    }

    /** Whether the statement opens, ends or abandons a transaction (savepoints do neither). */
    static boolean controlsTransaction(String statement) {
        return begins(statement) || SqlScript.endsTransaction(statement)
                || leading(statement, 0).equals("ROLLBACK") && leading(statement, 1).equals("PREPARED");
    }

    /** {@code BEGIN} or {@code START TRANSACTION}, at the statement's start (a body's BEGIN is inside a string). */
    private static boolean begins(String statement) {
        String first = leading(statement, 0);
        return first.equals("BEGIN") || first.equals("START") && leading(statement, 1).equals("TRANSACTION");
    }

    /** COMMIT or END (a ROLLBACK at the end would undo the script, as a sqitch verify script does). */
    private static boolean commits(String statement) {
        String first = leading(statement, 0);
        return first.equals("COMMIT") || first.equals("END");
    }

    private static String leading(String statement, int index) {
        List<String> t = SqlScript.lexemes(statement);
        return index < t.size() ? t.get(index).toUpperCase(Locale.ROOT) : "";
    }

    /** The removed statement's line breaks, so that the lines after it keep their numbers. */
    private static String newlines(String text, Statement statement) {
        return "\n".repeat((int) text.substring(statement.start(), statement.end()).chars().filter(c -> c == '\n')
                .count());
    }

    static String firstLine(Statement statement) {
        return statement.text().lines().findFirst().orElse(statement.text());
    }

    private static CatalogProblem problem(String file, int firstLine, Statement at, String message) {
        int line = firstLine - 1 + at.line();
        return new CatalogProblem(Kind.TRANSACTION_CONTROL, file + " line " + line + " " + message, List.of(file), line);
    }
}
