package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/v1/companies/{id}/seed}; optional (a bare POST seeds a company not marked production). */
@Schema(description = "Optional body of a seed")
public record SeedRequest(
        @Schema(description = "Seed even if the company's settings mark it production (\"production\": true or"
                + " \"environment\": \"production\"); default false", defaultValue = "false")
        boolean force) {
}
