package io.flotilla.api;

import io.flotilla.monitoring.ConnectionsView;
import io.flotilla.monitoring.IndexUsage;
import io.flotilla.monitoring.MonitoringPage;
import io.flotilla.monitoring.MonitoringService;
import io.flotilla.monitoring.TableSize;
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

import java.util.UUID;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1/monitoring")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Monitoring")
public class MonitoringResource {

    private final MonitoringService monitoring;
    private final ServerService servers;

    public MonitoringResource(MonitoringService monitoring, ServerService servers) {
        this.monitoring = monitoring;
        this.servers = servers;
    }

    @GET
    @Path("/tables")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listTableSizes",
            summary = "Tables and materialized views of tenant schemas by total size, largest first",
            description = "Sizes in bytes: totalBytes (heap, TOAST and indexes), tableBytes (heap), indexBytes."
                    + " Only schemas of companies that are not deleted.")
    @APIResponse(responseCode = "200", description = "One page of tables and how many there are")
    @APIResponse(responseCode = "400", description = "Invalid companyId, page or size, or server not a registered server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The server asked for cannot be reached",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<MonitoringPage<TableSize>> tables(
            @Parameter(description = SERVER) @QueryParam("server") String server,
            @Parameter(description = "Only this company's schema", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("companyId") String companyId,
            @Parameter(description = "Page number, from 0", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "0", defaultValue = "0")) @QueryParam("page") String page,
            @Parameter(description = "Rows per page", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("size") String size) {
        UUID company = Params.optionalUuid("companyId", companyId);
        int p = page(page);
        int n = size(size);
        return servers.filter(server).flatMap(known -> monitoring.tables(known, company, p, n));
    }

    @GET
    @Path("/indexes")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listIndexUsage",
            summary = "Tenant indexes with scan counts and sizes, largest first; unusedOnly=true lists the never-used",
            description = "neverUsed: no scan since the statistics were last reset, and the index enforces no"
                    + " constraint (unique, primary key and exclusion indexes are never flagged).")
    @APIResponse(responseCode = "200", description = "One page of indexes and how many there are")
    @APIResponse(responseCode = "400", description = "Invalid companyId, unusedOnly, page or size, or server not a"
            + " registered server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The server asked for cannot be reached",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<MonitoringPage<IndexUsage>> indexes(
            @Parameter(description = SERVER) @QueryParam("server") String server,
            @Parameter(description = "Only this company's schema", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("companyId") String companyId,
            @Parameter(description = "Only indexes flagged neverUsed", schema = @Schema(type = SchemaType.BOOLEAN,
                    defaultValue = "false")) @QueryParam("unusedOnly") String unusedOnly,
            @Parameter(description = "Page number, from 0", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "0", defaultValue = "0")) @QueryParam("page") String page,
            @Parameter(description = "Rows per page", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("size") String size) {
        UUID company = Params.optionalUuid("companyId", companyId);
        boolean unused = Params.bool("unusedOnly", unusedOnly, false);
        int p = page(page);
        int n = size(size);
        return servers.filter(server).flatMap(known -> monitoring.indexes(known, company, unused, p, n));
    }

    @GET
    @Path("/connections")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getConnections",
            summary = "Client sessions on the database by state and application, with the oldest transaction"
                    + " and query start of each group (seconds), to spot stuck sessions")
    @APIResponse(responseCode = "200", description = "Sessions grouped by state and application, largest group first")
    @APIResponse(responseCode = "400", description = "server is not a registered server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The server asked for cannot be reached",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<ConnectionsView> connections(
            @Parameter(description = SERVER) @QueryParam("server") String server) {
        return servers.filter(server).flatMap(monitoring::connections);
    }

    private static final String SERVER = "The server whose database is read (a registered server's name);"
            + " home when absent";

    private static int page(String page) {
        return Params.integer("page", page, 0, 0, Integer.MAX_VALUE);
    }

    private static int size(String size) {
        return Params.integer("size", size, 50, 1, MonitoringService.MAX_PAGE_SIZE);
    }
}
