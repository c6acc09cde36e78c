package io.flotilla.api;

import io.flotilla.catalog.CatalogService;
import io.flotilla.ledger.DriftRepository;
import io.flotilla.ledger.DriftedCompany;
import io.flotilla.ledger.FleetRepository;
import io.flotilla.ledger.FleetView;
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

import java.util.List;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet")
public class FleetResource {

    private final FleetRepository fleet;
    private final CatalogService catalog;
    private final DriftRepository drift;
    private final ServerService servers;

    public FleetResource(FleetRepository fleet, CatalogService catalog, DriftRepository drift, ServerService servers) {
        this.fleet = fleet;
        this.catalog = catalog;
        this.drift = drift;
        this.servers = servers;
    }

    @GET
    @Path("/fleet")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getFleet",
            summary = "Active companies per current version; how many are up to date, pending, failed, drifted;"
                    + " the same per server, with each server's state and last reachability check")
    @APIResponse(responseCode = "200", description = "The fleet at a glance")
    @APIResponse(responseCode = "400", description = "server is not a registered server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<FleetView> fleet(
            @Parameter(description = "Only the companies on this server (a registered server's name)")
            @QueryParam("server") String server) {
        return servers.filter(server).flatMap(known -> fleet.fleet(catalog.catalog(), known));
    }

    @GET
    @Path("/drift")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listDrift",
            summary = "Companies with applied migrations whose files changed since, and which versions")
    @APIResponse(responseCode = "200", description = "Drifted companies, at most limit, each with its server")
    @APIResponse(responseCode = "400", description = "Invalid limit, or no server has that name",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<DriftedCompany>> drift(
            @Parameter(description = "Most companies to list", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "10000", defaultValue = "100")) @QueryParam("limit") String limit,
            @Parameter(description = "Only companies whose schema is on this server (home: the control plane's own"
                    + " database)") @QueryParam("server") String server) {
        int max = Params.integer("limit", limit, 100, 1, 10_000);
        return servers.filter(server).flatMap(known -> drift.drifted(catalog.catalog(), known, max));
    }
}
