package io.flotilla.api;

import io.flotilla.audit.AuditEntry;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;

/** One audit entry as clients see it. Named AuditEntry in the contract; {@code audit.AuditEntry} is the row. */
@Schema(name = "AuditEntry")
public record AuditEntryView(
        long id,
        @Schema(description = "When the answer was given") OffsetDateTime at,
        @Schema(description = "The token's subject; absent when the request carried no valid token", nullable = true)
        String subject,
        @Schema(description = "The token's role; absent when the request carried no valid token", nullable = true,
                enumeration = {"viewer", "operator", "admin"})
        String role,
        @Schema(description = "The operation asked for: its operationId in this contract", examples = "createCompany")
        String action,
        @Schema(description = "The HTTP method", examples = "POST") String method,
        @Schema(description = "The path asked for, without its query", examples = "/api/v1/companies") String path,
        @Schema(description = "The ids the path named (id, name, version...) and, for a 201 or 202, created: the id"
                + " of what was made") Map<String, Object> targets,
        @Schema(description = "The request body with every secret, password, token and key left out and URLs cut to"
                + " scheme and host; absent when there was no body", nullable = true)
        Map<String, Object> summary,
        @Schema(description = "The answer's HTTP status (refusals are recorded too)", examples = "201") int status) {

    public static AuditEntryView of(AuditEntry e) {
        return new AuditEntryView(e.id(), e.at(), e.subject(), e.role(), e.action(), e.method(), e.path(),
                e.targets(), e.summary(), e.status());
    }
}
