package io.flotilla.api;

import io.flotilla.security.Role;
import io.flotilla.verification.LintReport;
import io.flotilla.verification.LintService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/lint")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Catalog")
public class LintResource {

    private final LintService lint;

    public LintResource(LintService lint) {
        this.lint = lint;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "lintCatalog",
            summary = "Build the whole catalog in a scratch schema and check the tenant-isolation rules",
            description = "Always 200: the report is data. ok is false when a rule is broken (and not waived with"
                    + " '-- flotilla:lint-waive table rule') or the catalog does not build.")
    @APIResponse(responseCode = "200", description = "The lint report, whether or not the catalog passes")
    public Uni<LintReport> lint() {
        return lint.lint();
    }
}
