package io.flotilla.api;

import io.flotilla.catalog.CatalogService;
import io.flotilla.security.Role;
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

import java.util.List;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Catalog")
public class MigrationResource {

    private final CatalogService catalog;

    public MigrationResource(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listMigrations", summary = "The migration catalog, in version order")
    @APIResponse(responseCode = "200", description = "Every migration, without its SQL, each naming the directory's layout")
    public List<MigrationView> list() {
        return catalog.migrations().stream().map(m -> MigrationView.summary(m, catalog.catalog().layout())).toList();
    }

    @GET
    @Path("/repeatables")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listRepeatables", summary = "The catalog's repeatable scripts (Flyway R__name.sql), in"
            + " the order they run, after the versioned migrations")
    @APIResponse(responseCode = "200", description = "Every repeatable script with its checksum; empty when the"
            + " catalog has none")
    public List<RepeatableView> repeatables() {
        return catalog.catalog().repeatables().stream().map(RepeatableView::of).toList();
    }

    @GET
    @Path("/{version}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getMigration", summary = "One migration with its SQL; 7, 007 and 7.0 name the same version")
    @APIResponse(responseCode = "200", description = "The migration with sql and rollbackSql")
    @APIResponse(responseCode = "400", description = "Not a version",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "The catalog has no such version",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public MigrationView get(@Parameter(description = "The version", example = "7") @PathParam("version") String version) {
        return MigrationView.detail(catalog.get(version), catalog.catalog().layout());
    }
}
