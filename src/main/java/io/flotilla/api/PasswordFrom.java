package io.flotilla.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Where a server's password is read when connecting: never the password itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "Where the password is read: {\"env\": \"NAME\"} (an environment variable of the service) or"
        + " {\"file\": \"/path\"} (e.g. a mounted Kubernetes Secret), one of the two")
public record PasswordFrom(
        @Schema(description = "Environment variable name", examples = "TENANTS_EU_PASSWORD") String env,
        @Schema(description = "Absolute path of a file holding the password (one trailing newline ignored)",
                examples = "/var/run/secrets/tenants-eu/password") String file) {
}
