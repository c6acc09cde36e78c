package io.flotilla.api;

import io.flotilla.audit.AuditQuery;
import io.flotilla.audit.AuditService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.OffsetDateTime;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

/** The audit trail (package audit records it): who changed what through the API, and the answer. Admins only. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit")
public class AuditResource {

    private final AuditService audit;

    public AuditResource(AuditService audit) {
        this.audit = audit;
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "listAuditEntries",
            summary = "Changes asked of the API, newest first, filtered; page with before=<nextBefore> (role admin)",
            description = "Every request that asked for a change (any method but GET, HEAD and OPTIONS) and reached an"
                    + " operation, refused ones included: who (the token's subject and role), when, the operation,"
                    + " the ids it named and the answer's status. Never a token or a secret.")
    @APIResponse(responseCode = "200", description = "Audit entries and the cursor of the next page")
    @APIResponse(responseCode = "400", description = "Invalid since, until, before or limit, or until not after since",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<AuditPage> find(
            @Parameter(description = "Only entries of this token subject", example = "ci-pipeline")
            @QueryParam("subject") String subject,
            @Parameter(description = "Only entries of this operation (an operationId of this contract)",
                    example = "startRollout") @QueryParam("action") String action,
            @Parameter(description = "Only entries at or after this ISO-8601 date-time with offset, or date"
                    + " (midnight UTC)", example = "2026-11-23T10:00:00Z") @QueryParam("since") String since,
            @Parameter(description = "Only entries before this ISO-8601 date-time with offset, or date (midnight"
                    + " UTC); must be after since", example = "2026-11-24") @QueryParam("until") String until,
            @Parameter(description = "Only entries with a smaller id: the nextBefore of the previous page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int64")) @QueryParam("before") String before,
            @Parameter(description = "Most entries to return", schema = @Schema(type = SchemaType.INTEGER,
                    format = "int32", minimum = "1", maximum = "1000", defaultValue = "100"))
            @QueryParam("limit") String limit) {
        int max = Params.integer("limit", limit, 100, 1, 1000);
        OffsetDateTime from = Params.optionalTime("since", since);
        OffsetDateTime to = Params.optionalTime("until", until);
        if (from != null && to != null && !to.isAfter(from)) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "until (" + until + ") must be after since (" + since + "): the range would be empty");
        }
        Long cursor = Params.optionalLong("before", before);
        return audit.find(new AuditQuery(blankToNull(subject), blankToNull(action), from, to, cursor, max))
                .map(items -> new AuditPage(items.stream().map(AuditEntryView::of).toList(),
                        items.size() < max ? null : items.get(items.size() - 1).id()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
