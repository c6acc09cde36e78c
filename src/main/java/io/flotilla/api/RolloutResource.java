package io.flotilla.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.rollout.RolloutService;
import io.flotilla.rollout.RolloutSpec;
import io.flotilla.rollout.Rollout;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rollouts")
public class RolloutResource {

    private final RolloutService service;
    private final ObjectMapper json;

    public RolloutResource(RolloutService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "startRollout",
            summary = "Start a rollout (202 + Location), or with dryRun=true return its plan (200)",
            description = "Refused before anything runs when a planned file drifted (409, unless allowDrift), a rollback"
                    + " file is missing (422), the server lacks a required extension (422), or a company is already in"
                    + " an unfinished rollout (409: rollouts never queue; cancel or wait).")
    @APIResponse(responseCode = "200", description = "dryRun: the plan, with the template values each company gets",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutPlanView.class)))
    @APIResponse(responseCode = "202", description = "Started: the rollout, stored and handed to the workers",
            headers = @Header(name = "Location", description = "The rollout", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", description = "Invalid direction, version, status or strategy; unknown field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "An unknown company id or target version",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409",
            description = "A company not active, drifted files (without allowDrift), or companies in an unfinished rollout",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A missing rollback file or extension, or a placeholder nothing defines",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> start(
            @RequestBody(required = false,
                    description = "Every field is optional: an empty body rolls every active company up to the latest",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = RolloutRequest.class))) RolloutRequest body) {
        RolloutRequest r = body == null ? new RolloutRequest(null, null, null, null, null, false, false, null) : body;
        // The body as stored with the rollout; a scheduled one is read from it again when it starts.
        JsonObject raw = new JsonObject(json.convertValue(r, Map.class));
        RolloutSpec request = RolloutSpec.fromRequest(raw, service.defaultMaxParallel());
        if (r.dryRun()) {
            return service.dryRun(request).map(plan -> Response.ok(RolloutPlanView.of(plan)).build());
        }
        Uni<Rollout> created = r.startAt() == null ? service.start(request, raw)
                : service.schedule(request, raw, r.startAt());
        return created.map(rollout -> Response.accepted(RolloutView.of(rollout))
                .location(URI.create("/api/v1/rollouts/" + rollout.id())).build());
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listRollouts", summary = "Rollouts, newest first, with counts of companies per status")
    @APIResponse(responseCode = "200", description = "Rollouts, newest first")
    @APIResponse(responseCode = "400", description = "Invalid limit",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<RolloutView>> list(
            @Parameter(description = "Most rollouts to return", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("limit") String limit) {
        return service.list(Params.integer("limit", limit, 50, 1, 500)).map(RolloutView::of);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getRollout",
            summary = "One rollout: state, wave, companies and ledger steps per status, failures with errors")
    @APIResponse(responseCode = "200", description = "The rollout with its ledger steps and failures")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No rollout with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<RolloutView> get(
            @Parameter(description = "Rollout id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.get(Params.uuid("id", id)).map(RolloutView::of);
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "pauseRollout", summary = "In-flight schemas finish, no new ones start")
    @APIResponse(responseCode = "200", description = "The rollout, paused")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No rollout with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The rollout is not pending or running",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<RolloutView> pause(
            @Parameter(description = "Rollout id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.pause(Params.uuid("id", id)).map(RolloutView::of);
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "resumeRollout", summary = "A paused rollout starts new schemas again")
    @APIResponse(responseCode = "200", description = "The rollout, running")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No rollout with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The rollout is not paused",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<RolloutView> resume(
            @Parameter(description = "Rollout id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.resume(Params.uuid("id", id)).map(RolloutView::of);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "cancelRollout", summary = "In-flight schemas finish; the rest stay pending for a later rollout")
    @APIResponse(responseCode = "200", description = "The rollout, cancelled: its companies are released")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No rollout with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The rollout has already ended",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<RolloutView> cancel(
            @Parameter(description = "Rollout id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.cancel(Params.uuid("id", id)).map(RolloutView::of);
    }
}
