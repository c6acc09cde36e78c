package io.flotilla.api;

import io.flotilla.monitoring.ConnectionsView;
import io.flotilla.monitoring.IndexUsage;
import io.flotilla.monitoring.MonitoringPage;
import io.flotilla.monitoring.MonitoringService;
import io.flotilla.monitoring.TableSize;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/monitoring")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Monitoring")
public class MonitoringResource {

    private final MonitoringService monitoring;

    public MonitoringResource(MonitoringService monitoring) {
        this.monitoring = monitoring;
    }

    @GET
    @Path("/tables")
    @Operation(summary = "Tables and materialized views of tenant schemas by total size, largest first",
            description = "Sizes in bytes: totalBytes (heap, TOAST and indexes), tableBytes (heap), indexBytes."
                    + " Only schemas of companies that are not deleted.")
    public Uni<MonitoringPage<TableSize>> tables(@QueryParam("companyId") String companyId,
                                                 @QueryParam("page") String page, @QueryParam("size") String size) {
        return monitoring.tables(Params.optionalUuid("companyId", companyId), page(page), size(size));
    }

    @GET
    @Path("/indexes")
    @Operation(summary = "Tenant indexes with scan counts and sizes, largest first; unusedOnly=true lists the never-used",
            description = "neverUsed: no scan since the statistics were last reset, and the index enforces no"
                    + " constraint (unique, primary key and exclusion indexes are never flagged).")
    public Uni<MonitoringPage<IndexUsage>> indexes(@QueryParam("companyId") String companyId,
                                                   @QueryParam("unusedOnly") String unusedOnly,
                                                   @QueryParam("page") String page, @QueryParam("size") String size) {
        return monitoring.indexes(Params.optionalUuid("companyId", companyId),
                Params.bool("unusedOnly", unusedOnly, false), page(page), size(size));
    }

    @GET
    @Path("/connections")
    @Operation(summary = "Client sessions on the database by state and application, with the oldest transaction"
            + " and query start of each group (seconds), to spot stuck sessions")
    public Uni<ConnectionsView> connections() {
        return monitoring.connections();
    }

    private static int page(String page) {
        return Params.integer("page", page, 0, 0, Integer.MAX_VALUE);
    }

    private static int size(String size) {
        return Params.integer("size", size, 50, 1, MonitoringService.MAX_PAGE_SIZE);
    }
}
