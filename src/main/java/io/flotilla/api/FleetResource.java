package io.flotilla.api;

import io.flotilla.catalog.CatalogService;
import io.flotilla.ledger.FleetRepository;
import io.flotilla.ledger.FleetView;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet")
public class FleetResource {

    private final FleetRepository fleet;
    private final CatalogService catalog;

    public FleetResource(FleetRepository fleet, CatalogService catalog) {
        this.fleet = fleet;
        this.catalog = catalog;
    }

    @GET
    @Path("/fleet")
    @Operation(summary = "Active companies per current version; how many are up to date, pending, failed, drifted")
    public Uni<FleetView> fleet() {
        return fleet.fleet(catalog.catalog());
    }

    @GET
    @Path("/drift")
    @Operation(summary = "Companies with applied migrations whose files changed since, and which versions")
    public Uni<List<FleetView.Drifted>> drift(@QueryParam("limit") String limit) {
        return fleet.drifted(catalog.catalog(), Params.integer("limit", limit, 100, 1, 10_000));
    }
}
