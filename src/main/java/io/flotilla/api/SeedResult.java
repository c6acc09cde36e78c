package io.flotilla.api;

import io.flotilla.tenant.CompanyDataService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** What {@code POST /api/v1/companies/{id}/seed} answers once every seed file is committed. */
@Schema(description = "A seed, committed: every file ran in one transaction")
public record SeedResult(
        @Schema(description = "The company") UUID companyId,
        @Schema(description = "Its schema, where the seeds ran") String schemaName,
        @Schema(description = "The seed files applied (MIGRATIONS_DIR/seeds/*.sql), in the order they ran") List<String> files,
        @Schema(description = "How long the seed transaction took, from rendering the files to COMMIT, in ms")
        long durationMs) {

    static SeedResult of(CompanyDataService.Seeded seeded) {
        return new SeedResult(seeded.company().id(), seeded.company().schemaName(), seeded.files(), seeded.durationMs());
    }
}
