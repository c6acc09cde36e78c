package io.flotilla.api;

import io.flotilla.tenant.CompanyDataService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** What {@code POST /api/v1/companies/{id}/reset} answers once the schema is dropped, created and migrated again. */
@Schema(description = "A reset: the schema dropped and created empty, then every migration applied again")
public record ResetResult(
        @Schema(description = "The company") UUID companyId,
        @Schema(description = "Its schema, dropped and created again") String schemaName,
        @Schema(description = "The run: the ledger's rows of the drop (down, rolled_back) and of the re-apply (up)")
        UUID runId,
        @Schema(description = "Versions that were applied when the schema was dropped, in version order; each has a"
                + " ledger row down / rolled_back with script \"reset: schema dropped\"") List<String> droppedVersions,
        @Schema(description = "Versions applied again, in order") List<String> applied) {

    static ResetResult of(CompanyDataService.Reset reset) {
        return new ResetResult(reset.company().id(), reset.company().schemaName(), reset.apply().runId(),
                reset.droppedVersions(), reset.apply().applied());
    }
}
