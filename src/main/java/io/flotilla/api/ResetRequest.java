package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/v1/companies/{id}/reset}: the schema name typed out, so no schema is dropped by mistake. */
@Schema(description = "Body of a reset", requiredProperties = "confirm")
public record ResetRequest(
        @Schema(description = "The company's schema name, exactly; anything else is refused (400) and nothing changes",
                examples = "acme")
        String confirm,
        @Schema(description = "Reset even if the company's settings mark it production (\"production\": true or"
                + " \"environment\": \"production\"); default false", defaultValue = "false")
        boolean force) {
}
