package io.flotilla.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.rollout.Rollout;
import io.flotilla.rollout.RolloutService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.Map;

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
    @Operation(summary = "Start a rollout (202 + Location), or with dryRun=true return its plan (200)",
            description = "Refused before anything runs when a planned file drifted (409, unless allowDrift), a rollback"
                    + " file is missing (422), the server lacks a required extension (422), or a company is already in"
                    + " an unfinished rollout (409: rollouts never queue; cancel or wait).")
    public Uni<Response> start(RolloutRequest body) {
        RolloutRequest r = body == null ? new RolloutRequest(null, null, null, null, null, false, false) : body;
        RolloutRequest.Strategy s = r.strategy() == null ? new RolloutRequest.Strategy(null, null, null, null, null) : r.strategy();
        RolloutService.Request request = new RolloutService.Request(r.direction(), r.targetVersion(), r.companyIds(),
                r.status(), s.canary(), s.canaryIds(), s.batchSize(), s.maxParallel(), s.maxFailures(), r.allowDrift());
        if (r.dryRun()) {
            return service.dryRun(request).map(plan -> Response.ok(RolloutPlanView.of(plan)).build());
        }
        JsonObject raw = new JsonObject(json.convertValue(r, Map.class));
        return service.start(request, raw).map(rollout -> Response.accepted(rollout)
                .location(URI.create("/api/v1/rollouts/" + rollout.id())).build());
    }

    @GET
    @Operation(summary = "Rollouts, newest first, with counts of companies per status")
    public Uni<List<Rollout>> list(@QueryParam("limit") String limit) {
        return service.list(Params.integer("limit", limit, 50, 1, 500));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One rollout: state, wave, companies and ledger steps per status, failures with errors")
    public Uni<Rollout> get(@PathParam("id") String id) {
        return service.get(Params.uuid("id", id));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "In-flight schemas finish, no new ones start")
    public Uni<Rollout> pause(@PathParam("id") String id) {
        return service.pause(Params.uuid("id", id));
    }

    @POST
    @Path("/{id}/resume")
    public Uni<Rollout> resume(@PathParam("id") String id) {
        return service.resume(Params.uuid("id", id));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "In-flight schemas finish; the rest stay pending for a later rollout")
    public Uni<Rollout> cancel(@PathParam("id") String id) {
        return service.cancel(Params.uuid("id", id));
    }
}
