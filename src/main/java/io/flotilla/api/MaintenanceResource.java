package io.flotilla.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.maintenance.MaintenanceJobView;
import io.flotilla.maintenance.MaintenanceRun;
import io.flotilla.maintenance.MaintenanceService;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
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
import java.util.UUID;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

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

    @GET
    @Path("/jobs")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listMaintenanceJobs", summary = "Maintenance jobs: cron, next fire time, last run")
    @APIResponse(responseCode = "200", description = "Every job, built-in and custom")
    public Uni<List<MaintenanceJobView>> jobs() {
        return service.jobs();
    }

    @POST
    @Path("/jobs/{name}/run")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "runMaintenanceJob",
            summary = "Run a job now (202 + Location of the run), on every active company or the ones given")
    @APIResponse(responseCode = "202", description = "The run, recorded and handed to the scheduler",
            headers = @Header(name = "Location", description = "The run", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MaintenanceRun.class)))
    @APIResponse(responseCode = "400", description = "The body is not {\"companyIds\": [uuid, ...]}",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such job, or no company with one of the ids",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> run(@Parameter(description = "The job", example = "vacuum-analyze") @PathParam("name") String name,
                             @RequestBody(required = false, description = "Which companies (default: every active one)",
                                     content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                             schema = @Schema(implementation = RunRequest.class))) String body) {
        // The body is optional, so it is read as text: a bare POST (no Content-Type) runs on every company.
        RunRequest request = Params.optionalBody(json, body, RunRequest.class, "{\"companyIds\": [uuid, ...]}");
        return service.request(name, request == null ? null : request.companyIds())
                .map(run -> Response.accepted(run).location(URI.create("/api/v1/maintenance/runs/" + run.id())).build());
    }

    @GET
    @Path("/runs")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listMaintenanceRuns", summary = "Maintenance runs, newest first, optionally of one job")
    @APIResponse(responseCode = "200", description = "Runs without their steps, newest first")
    @APIResponse(responseCode = "400", description = "Invalid limit",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such job",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<MaintenanceRun>> runs(
            @Parameter(description = "Only runs of this job", example = "vacuum-analyze") @QueryParam("job") String job,
            @Parameter(description = "Most runs to return", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("limit") String limit) {
        return service.runs(job == null || job.isEmpty() ? null : job, Params.integer("limit", limit, 50, 1, 500));
    }

    @GET
    @Path("/runs/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getMaintenanceRun", summary = "One run with each company's outcome, duration and error")
    @APIResponse(responseCode = "200", description = "The run with its steps")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No run with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<MaintenanceRun> run(
            @Parameter(description = "Run id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.get(Params.uuid("id", id));
    }
}
