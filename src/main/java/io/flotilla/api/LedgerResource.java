package io.flotilla.api;

import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerFilter;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.StepStatus;
import io.flotilla.security.Role;
import io.flotilla.server.ServerService;
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
import java.util.UUID;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1/ledger")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Ledger")
public class LedgerResource {

    private final LedgerRepository ledger;
    private final ServerService servers;

    public LedgerResource(LedgerRepository ledger, ServerService servers) {
        this.ledger = ledger;
        this.servers = servers;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listLedgerEntries",
            summary = "Ledger steps, newest first, filtered; page with before=<nextBefore>")
    @APIResponse(responseCode = "200", description = "Ledger steps and the cursor of the next page")
    @APIResponse(responseCode = "400", description = "Invalid companyId, version, status, since, until, before or"
            + " limit, until not after since, or server not a registered server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<LedgerPage> find(
            @Parameter(description = "Only this company's steps", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("companyId") String companyId,
            @Parameter(description = "Only this version (7, 007 and 7.0 are the same); R: the runs of repeatable"
                    + " scripts") @QueryParam("version") String version,
            @Parameter(description = "Only steps with this status", schema = @Schema(implementation = StepStatus.class))
            @QueryParam("status") String status,
            @Parameter(description = "Only steps started at or after this ISO-8601 date-time with offset, or date"
                    + " (midnight UTC)", example = "2026-11-23T10:00:00Z") @QueryParam("since") String since,
            @Parameter(description = "Only steps started before this ISO-8601 date-time with offset, or date (midnight"
                    + " UTC); must be after since", example = "2026-11-24") @QueryParam("until") String until,
            @Parameter(description = "Only steps with a smaller id: the nextBefore of the previous page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int64")) @QueryParam("before") String before,
            @Parameter(description = "Most steps to return", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "1000", defaultValue = "100")) @QueryParam("limit") String limit,
            @Parameter(description = "Only steps on this server's schemas (a registered server's name)")
            @QueryParam("server") String server) {
        int max = Params.integer("limit", limit, 100, 1, 1000);
        UUID company = Params.optionalUuid("companyId", companyId);
        boolean repeatables = Repeatable.LEDGER_VERSION.equalsIgnoreCase(version);
        Version v = version == null || version.isEmpty() || repeatables ? null : Version.parse(version);
        StepStatus s = status == null || status.isEmpty() ? null : StepStatus.parse(status);
        OffsetDateTime from = Params.optionalTime("since", since);
        OffsetDateTime to = Params.optionalTime("until", until);
        if (from != null && to != null && !to.isAfter(from)) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "until (" + until + ") must be after since (" + since + "): the range would be empty");
        }
        Long cursor = Params.optionalLong("before", before);
        return servers.filter(server)
                .flatMap(known -> ledger.find(new LedgerFilter(company, v, repeatables, s, from, to, cursor, max, known)))
                .map(items -> new LedgerPage(items.stream().map(LedgerEntryView::of).toList(),
                        items.size() < max ? null : items.get(items.size() - 1).id()));
    }
}
