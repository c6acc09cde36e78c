package io.flotilla.execution;

import java.util.List;
import java.util.UUID;

/**
 * What one apply run did to one schema.
 *
 * @param applied versions applied by this run, in order
 * @param pending versions still not applied after it (those after a failure, or none)
 * @param failure the step that failed, which stopped the run; null when all went through
 */
public record ApplyResult(UUID runId, UUID companyId, String schemaName, List<String> applied, List<String> pending,
                          StepFailure failure) {

    public boolean succeeded() {
        return failure == null;
    }

    /** The PostgreSQL error of a failed step, as recorded in the ledger. */
    public record StepFailure(String version, String script, long ledgerId, String error, String sqlState,
                              Integer position) {
    }
}
