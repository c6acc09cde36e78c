package io.flotilla.api;

import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** Body of {@code POST /api/v1/companies}. */
public record CompanyRequest(String companyName, String schemaName,
                             @Schema(implementation = CompanyStatus.class) String status, Map<String, Object> settings,
                             @Schema(description = "The server to create its schema on; without it, the active server with"
                                     + " the fewest companies under its capacity (when adopting: the server the schema"
                                     + " is on; without it, home)") String server,
                             @Schema(description = "Adopt the schema, which exists already: read the history table of"
                                     + " the catalog's tool, verify the schema and record its versions as adopted"
                                     + " steps; no migration runs (default false)") Boolean adopt,
                             @Schema(description = "With adopt: record the adoption even if the schema is not what its"
                                     + " versions build, and mark the company drifted with the differences"
                                     + " (default false)") Boolean acceptDrift,
                             @Schema(description = "With adopt, for a schema without a history table: the catalog"
                                     + " version it stands at") String baselineVersion,
                             @Schema(description = "With adopt: the other tool's history table, when it is not that"
                                     + " tool's default name") String historyTable,
                             @Schema(description = "Its maintenance window: rollouts and the scheduled maintenance"
                                     + " jobs work on it only inside it (without one: at any time). Not with adopt")
                             WindowView window) {

    public CompanyRequest(String companyName, String schemaName, String status, Map<String, Object> settings,
                          String server) {
        this(companyName, schemaName, status, settings, server, null, null, null, null, null);
    }

    public boolean adopting() {
        return Boolean.TRUE.equals(adopt);
    }
}
