package io.flotilla.migration;

import io.flotilla.catalog.Direction;

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
                          StepFailure failure) {

    public boolean succeeded() {
        return failure == null;
    }

    /** Steps the run took: versions and repeatables. */
    public int steps() {
        return applied.size() + repeatables.size();
    }

    /** The PostgreSQL error of a failed step, as recorded in the ledger. */
    public record StepFailure(String version, String script, long ledgerId, String error, String sqlState,
                              Integer position) {
    }
}
