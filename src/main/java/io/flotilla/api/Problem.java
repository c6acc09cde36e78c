package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Documentation only: the body of every error, as {@link ProblemMapper} writes it ({@code application/problem+json},
 * RFC 9457). Nothing builds this record; it gives the OpenAPI contract one schema for all error responses, with the
 * extension members our problems carry, each typed ({@link ProblemResponsesFilter} lists the types). A member is
 * there only when the case has it.
 */
@Schema(description = "An RFC 9457 problem. Cases add extension members: a migration-failed problem has companyId,"
        + " company, schemaName, runId, version, script, ledgerId, sqlState, position, appliedVersions and"
        + " pendingVersions; a seed-failed problem has companyId, schemaName, file, error, sqlState and position; an"
        + " invalid-server problem names the field; a conflict names what it conflicts with. Clients should ignore"
        + " members they do not know.", additionalProperties = Schema.True.class,
        requiredProperties = {"type", "title", "status", "instance"})
public record Problem(
        @Schema(description = "urn:flotilla:problem:<code> (e.g. urn:flotilla:problem:company-not-found), or"
                + " about:blank for HTTP-level errors", examples = "urn:flotilla:problem:company-not-found")
        String type,
        @Schema(description = "Short summary of the problem type") String title,
        @Schema(description = "The HTTP status code") int status,
        @Schema(description = "What went wrong in this occurrence") String detail,
        @Schema(description = "The request path") String instance,
        @Schema(description = "The company concerned") UUID companyId,
        @Schema(description = "company-not-found of a rollout: the ids that name no company") List<UUID> companyIds,
        @Schema(description = "migration-failed: the company's URL path") String company,
        @Schema(description = "The company's schema") String schemaName,
        @Schema(description = "migration-failed: the run, in the ledger") UUID runId,
        @Schema(description = "The version whose step failed or is refused") String version,
        @Schema(description = "The migration or seed file concerned") String script,
        @Schema(description = "migration-failed: the ledger row of the failed step") Long ledgerId,
        @Schema(description = "PostgreSQL's SQLSTATE") String sqlState,
        @Schema(description = "1-based character position in the script PostgreSQL reported") Integer position,
        @Schema(description = "migration-failed: versions this run applied") List<String> appliedVersions,
        @Schema(description = "migration-failed: versions still pending") List<String> pendingVersions,
        @Schema(description = "seed-failed: the seed file that failed") String file,
        @Schema(description = "seed-failed: PostgreSQL's message") String error,
        @Schema(description = "The server concerned") String server,
        @Schema(description = "extension-missing: the server's name") String serverName,
        @Schema(description = "server-not-accepting: the server's state (draining, offline)") String state,
        @Schema(description = "server-not-accepting: the server's schema capacity, reached") Integer capacity,
        @Schema(description = "rollout-conflict: the unfinished rollout that holds the companies") UUID rolloutId,
        @Schema(description = "rollout-conflict: schemas already in it") List<String> schemas,
        @Schema(description = "company-not-active: the companies that are not active") List<String> companies,
        @Schema(description = "invalid-server and the other server problems: the field at fault") String field,
        @Schema(description = "invalid-settings: the setting at fault") String setting,
        @Schema(description = "What is wrong, one line each (catalog, seeds, rollbacks)") List<String> problems,
        @Schema(description = "drift-detected, rollback-missing: the versions concerned") List<String> versions,
        @Schema(description = "rollback-missing: applied versions no longer in the catalog") List<String> missing,
        @Schema(description = "drift-detected of a rollout: per version, how many companies and a few of them")
        Map<String, Drift> drift,
        @Schema(description = "extension-missing: the extensions the server lacks") List<String> extensions,
        @Schema(description = "seeds-missing, seed-invalid: the seeds directory") String directory,
        @Schema(description = "unresolved-placeholder: the placeholders nothing defines") List<String> placeholders,
        @Schema(description = "unsafe-template-value: the placeholder whose value was refused") String placeholder,
        @Schema(description = "reset: the versions the dropped schema had") List<String> droppedVersions,
        @Schema(description = "adoption-job-not-found: the job asked for") UUID jobId,
        @Schema(description = "move-refused, move-state: the move concerned") UUID moveId,
        @Schema(description = "move-state: the move's phase") String phase,
        @Schema(description = "move-refused: the method the move would take (copy)") String method,
        @Schema(description = "move-refused: why it would take it") String reason,
        @Schema(description = "move-refused: the schema's estimated size in bytes") Long estimatedBytes,
        @Schema(description = "move-drifted: tables its versions build that the schema lacks") List<String> missingTables,
        @Schema(description = "move-drifted: tables the schema has beyond its versions") List<String> extraTables,
        @Schema(description = "move-drifted: tables without row-level security") List<String> rlsDisabled,
        @Schema(description = "move-drifted: tables with row-level security and no policy") List<String> withoutPolicy,
        @Schema(description = "move-drifted: what could not be compared") List<String> unverifiable,
        @Schema(description = "move-drifted: the expected shape's build failed") io.flotilla.verification.BuildFailure buildFailure) {

    /** One drifted version in a rollout's drift-detected problem. */
    @Schema(name = "ProblemDrift")
    public record Drift(@Schema(description = "Companies whose applied file changed") int companies,
                        @Schema(description = "Up to five of their schemas") List<String> examples) {
    }
}
