package io.flotilla.api;

import io.flotilla.adoption.FleetAdoptionService;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

/** Fleet adoption jobs, as POST /api/v1/companies/adopt started them. */
@Path("/api/v1/adoptions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Companies")
public class AdoptionJobResource {

    private final FleetAdoptionService fleet;

    public AdoptionJobResource(FleetAdoptionService fleet) {
        this.fleet = fleet;
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getAdoptionJob", summary = "A fleet adoption: its progress and each schema's result so far")
    @APIResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdoptionJobView.class)))
    @APIResponse(responseCode = "400", description = "The id is not a UUID (invalid-request)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such job (adoption-job-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<AdoptionJobView> get(@Parameter(description = "The job's id") @PathParam("id") String id) {
        return fleet.get(Params.uuid("id", id)).map(AdoptionJobView::of);
    }
}
