package io.flotilla.api;

import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** Body of {@code POST /api/v1/companies}. */
public record CompanyRequest(String companyName, String schemaName,
                             @Schema(implementation = CompanyStatus.class) String status, Map<String, Object> settings,
                             @Schema(description = "The server to create its schema on; without it, the active server with"
                                     + " the fewest companies under its capacity") String server) {
}
