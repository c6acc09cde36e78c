package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A server to register. */
@Schema(name = "ServerRequest")
public record ServerRequest(
        @Schema(required = true, description = "Unique name, ^[a-z][a-z0-9_-]{0,62}$", examples = "eu-1") String name,
        @Schema(required = true, description = "Host name or IP address") String host,
        @Schema(description = "Port", defaultValue = "5432", minimum = "1", maximum = "65535") Integer port,
        @Schema(required = true, description = "Database the tenant schemas live in") String database,
        @Schema(required = true, description = "Role Flotilla connects as") String user,
        @Schema(description = "TLS mode, as libpq's sslmode", defaultValue = "prefer",
                enumeration = {"disable", "prefer", "require", "verify-ca", "verify-full"}) String tlsMode,
        @Schema(description = "Where the password is read; none for a server that asks for none") PasswordFrom passwordFrom,
        @Schema(required = true, description = "Most connections Flotilla opens to this server (its pool's size)",
                minimum = "1") Integer connectionBudget,
        @Schema(description = "Most company schemas this server should hold; none for no limit", minimum = "1")
        Integer schemaCapacity) {
}
