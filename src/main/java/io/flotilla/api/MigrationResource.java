package io.flotilla.api;

import io.flotilla.catalog.CatalogService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Catalog")
public class MigrationResource {

    private final CatalogService catalog;

    public MigrationResource(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GET
    @Operation(summary = "The migration catalog, in version order")
    public List<MigrationView> list() {
        return catalog.migrations().stream().map(MigrationView::summary).toList();
    }

    @GET
    @Path("/{version}")
    @Operation(summary = "One migration with its SQL; 7, 007 and 7.0 name the same version")
    public MigrationView get(@PathParam("version") String version) {
        return MigrationView.detail(catalog.get(version));
    }
}
