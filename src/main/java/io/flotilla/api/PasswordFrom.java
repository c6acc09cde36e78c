package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Where a server's password is read when connecting: never the password itself. */
@Schema(description = "Where the password is read: {\"env\": \"NAME\"} (an environment variable of the service) or"
        + " {\"file\": \"/path\"} (e.g. a mounted Kubernetes Secret), one of the two")
public record PasswordFrom(
        @Schema(description = "Environment variable name", nullable = true, examples = "TENANTS_EU_PASSWORD")
        String env,
        @Schema(description = "Absolute path of a file holding the password (one trailing newline ignored)",
                nullable = true,
                examples = "/var/run/secrets/tenants-eu/password") String file) {
}
