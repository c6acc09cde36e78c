package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * What one apply run did to one schema.
 *
 * @param applied versions this run applied (up) or rolled back (down), in order
 * @param pending versions it still had to take when it stopped (after a failure), or none
 * @param repeatables names of the repeatable migrations it ran, after the versions, in order
 * @param failure the step that failed, which stopped the run; null when all went through ({@code version} is
 *                {@code R} when a repeatable failed, {@code script} says which)
 */
public record ApplyResult(UUID runId, UUID companyId, String schemaName, Direction direction, List<String> applied,
                          List<String> pending, List<String> repeatables,
                          @Schema(nullable = true) StepFailure failure) {

    public boolean succeeded() {
        return failure == null;
    }

    /** Steps the run took: versions and repeatables. */
    public int steps() {
        return applied.size() + repeatables.size();
    }

    /**
     * The PostgreSQL error of a failed step, as recorded in the ledger, with the attempts it took for its locks and
     * the session last seen holding them (null: no attempt timed out).
     */
    public record StepFailure(String version, String script, long ledgerId, String error,
                              @Schema(nullable = true) String sqlState,
                              @Schema(nullable = true) Integer position, int lockAttempts,
                              @Schema(nullable = true) String lockBlocker) {

        public StepFailure(String version, String script, long ledgerId, String error, String sqlState,
                           Integer position) {
            this(version, script, ledgerId, error, sqlState, position, 1, null);
        }

        /** Whether the step gave up waiting for a lock (SQLSTATE 55P03: its lock budget spent, or a NOWAIT). */
        public boolean lockTimeout() {
            return LOCK_NOT_AVAILABLE.equals(sqlState);
        }
    }

    /** PostgreSQL's lock_not_available. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";
}
