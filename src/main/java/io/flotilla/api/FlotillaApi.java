package io.flotilla.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The contract's header: every {@code /api/v1} operation needs a bearer JWT (roles by HTTP method, see
 * application.properties). No {@code @ApplicationPath}: resources keep their own paths.
 */
@OpenAPIDefinition(
        info = @Info(title = "Flotilla API", version = "0.1.0",
                description = "Migration control plane for schema-per-tenant PostgreSQL. Reads need role viewer, changes"
                        + " operator; deletions, rollbacks and resets admin."),
        security = @SecurityRequirement(name = "bearer"),
        components = @Components(securitySchemes = @SecurityScheme(securitySchemeName = "bearer",
                type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
                description = "RS256 JWT signed with the service's key; role in the groups claim")))
public class FlotillaApi extends Application {
}
