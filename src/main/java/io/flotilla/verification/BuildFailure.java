package io.flotilla.verification;

import io.flotilla.catalog.Migration;
import io.flotilla.ledger.LedgerRepository.StepError;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Why the scratch schema could not be built: the migration whose script PostgreSQL refused (with its SQLSTATE and
 * the 1-based position in the script), or one whose placeholders nothing defines (no SQLSTATE then).
 */
public record BuildFailure(String version, String script, @Schema(nullable = true) String sqlState,
                           @Schema(nullable = true) Integer position, String message) {

    static BuildFailure of(Migration migration, StepError error) {
        return new BuildFailure(migration.version().toString(), migration.up().file(), error.sqlState(),
                error.position(), error.message());
    }

    static BuildFailure unrendered(Migration migration, String message) {
        return new BuildFailure(migration.version().toString(), migration.up().file(), null, null, message);
    }
}
