package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Documentation only: the body of every error, as {@link ProblemMapper} writes it ({@code application/problem+json},
 * RFC 9457). Nothing builds this record; it gives the OpenAPI contract one schema for all error responses.
 */
@Schema(description = "An RFC 9457 problem. Cases add extension members: a migration-failed problem has companyId,"
        + " version, script, sqlState, position, appliedVersions and pendingVersions; a seed-failed problem has"
        + " companyId, schemaName, file, error, sqlState and position; an invalid-server problem names the field; a"
        + " conflict names what it conflicts with.", additionalProperties = Schema.True.class, requiredProperties = {"type", "title", "status"})
public record Problem(
        @Schema(description = "urn:flotilla:problem:<code> (e.g. urn:flotilla:problem:company-not-found), or"
                + " about:blank for HTTP-level errors", examples = "urn:flotilla:problem:company-not-found")
        String type,
        @Schema(description = "Short summary of the problem type") String title,
        @Schema(description = "The HTTP status code") int status,
        @Schema(description = "What went wrong in this occurrence") String detail,
        @Schema(description = "The request path") String instance) {
}
