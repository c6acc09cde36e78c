package io.flotilla.api;

import io.flotilla.move.MoveService;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/** Moves of companies between servers: started with POST /api/v1/companies/{id}/move, followed and cancelled here. */
@Path("/api/v1/moves")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Moves")
public class MoveResource {

    private final MoveService service;

    public MoveResource(MoveService service) {
        this.service = service;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listMoves", summary = "Moves, newest first")
    @APIResponse(responseCode = "200", description = "The moves",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = MoveView.class)))
    @APIResponse(responseCode = "400", description = "companyId is not a UUID, or limit is out of range",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<MoveView>> list(
            @Parameter(description = "Only this company's moves", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("companyId") String companyId,
            @Parameter(description = "At most this many (1-500, default 50)") @QueryParam("limit") String limit) {
        return service.list(companyId == null ? null : Params.uuid("companyId", companyId),
                        Params.integer("limit", limit, 50, 1, 500))
                .map(moves -> moves.stream().map(MoveView::of).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getMove", summary = "One move: its phase, progress, lag, pause and error")
    @APIResponse(responseCode = "200", description = "The move",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MoveView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No move with this id (move-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<MoveView> get(
            @Parameter(description = "Move id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.get(Params.uuid("id", id)).map(MoveView::of);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "cancelMove", summary = "Stop a move (role admin)",
            description = "The move is rolled back at its next check: the target's schema dropped, the replication"
                    + " objects removed, the company left on its source, writable. A move already cutting over ends as"
                    + " it would have.")
    @APIResponse(responseCode = "200", description = "The move, with cancelRequested",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MoveView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: cancelling a move needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No move with this id (move-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The move has already ended (move-state)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<MoveView> cancel(
            @Parameter(description = "Move id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.cancel(Params.uuid("id", id)).map(MoveView::of);
    }
}
