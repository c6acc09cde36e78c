package io.flotilla.catalog;

import java.util.List;

/**
 * One thing wrong with a migration directory, as data; the edge turns a non-empty list into an error.
 *
 * @param line the 1-based line of the offending statement in the (one) file named, when the problem is one statement
 *             (a refused statement, transaction control); null otherwise
 */
public record CatalogProblem(Kind kind, String message, List<String> files, Integer line) {

    /** A problem with a file or the directory as a whole, not with one of its statements. */
    public CatalogProblem(Kind kind, String message, List<String> files) {
        this(kind, message, files, null);
    }

    public enum Kind {
        DIRECTORY_MISSING,
        UNREADABLE_FILE,
        UNRECOGNISED_FILE,
        /** A directory that holds things, none of them a migration: named, rather than an empty catalog. */
        NO_MIGRATIONS,
        UNSUPPORTED_FILE,
        MIXED_LAYOUTS,
        DUPLICATE_VERSION,
        UNPAIRED_ROLLBACK,
        UNKNOWN_DIRECTIVE,
        INVALID_DIRECTIVE,
        /** A seed file that cannot run inside the one transaction all seeds share. */
        NOT_TRANSACTIONAL,
        /** {@code flotilla-lint.properties} names a rule or a level the lint does not know. */
        INVALID_LINT_LEVELS,
        /** A transactional script that commits, rolls back or opens a transaction other than by a whole-file wrap. */
        TRANSACTION_CONTROL,
        /** A statement that is not one tenant's business: a role, a database, the server, another schema. */
        OUTSIDE_TENANT
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
