package io.flotilla.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.maintenance.MaintenanceJobView;
import io.flotilla.maintenance.MaintenanceRun;
import io.flotilla.maintenance.MaintenanceService;
import io.smallrye.mutiny.Uni;
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
import java.util.UUID;

@Path("/api/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Maintenance")
public class MaintenanceResource {

    /** Body of a manual run: which companies (default: every active one). */
    public record RunRequest(List<UUID> companyIds) {
    }

    private final MaintenanceService service;
    private final ObjectMapper json;

    public MaintenanceResource(MaintenanceService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    private RunRequest readRequest(String body) {
        try {
            return json.readValue(body, RunRequest.class);
        } catch (JsonProcessingException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Body must be {\"companyIds\": [uuid, ...]}: "
                    + e.getOriginalMessage());
        }
    }

    @GET
    @Path("/jobs")
    @Operation(summary = "Maintenance jobs: cron, next fire time, last run")
    public Uni<List<MaintenanceJobView>> jobs() {
        return service.jobs();
    }

    @POST
    @Path("/jobs/{name}/run")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Run a job now (202 + Location of the run), on every active company or the ones given")
    public Uni<Response> run(@PathParam("name") String name, String body) {
        // The body is optional, so it is read as text: a bare POST (no Content-Type) runs on every company.
        RunRequest request = body == null || body.isBlank() ? new RunRequest(null) : readRequest(body);
        return service.request(name, request.companyIds())
                .map(run -> Response.accepted(run).location(URI.create("/api/v1/maintenance/runs/" + run.id())).build());
    }

    @GET
    @Path("/runs")
    @Operation(summary = "Maintenance runs, newest first, optionally of one job")
    public Uni<List<MaintenanceRun>> runs(@QueryParam("job") String job, @QueryParam("limit") String limit) {
        return service.runs(job == null || job.isEmpty() ? null : job, Params.integer("limit", limit, 50, 1, 500));
    }

    @GET
    @Path("/runs/{id}")
    @Operation(summary = "One run with each company's outcome, duration and error")
    public Uni<MaintenanceRun> run(@PathParam("id") String id) {
        return service.get(Params.uuid("id", id));
    }
}
