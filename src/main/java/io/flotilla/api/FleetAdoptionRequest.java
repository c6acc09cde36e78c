package io.flotilla.api;

import io.flotilla.adoption.FleetAdoptionService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/** Body of {@code POST /api/v1/companies/adopt}. */
public record FleetAdoptionRequest(
        @Schema(description = "The registered server the schemas are on (default home)") String server,
        @Schema(description = "The schemas to adopt; or all") List<Entry> schemas,
        @Schema(description = "Adopt every schema GET /api/v1/servers/{name}/discover lists, each as a company named"
                + " after its schema (default false)") Boolean all,
        @Schema(description = "Decide every schema and record nothing: 200 with what would be adopted and what"
                + " refused, and why (default false)") Boolean dryRun,
        @Schema(description = "Schemas adopted at once (default " + FleetAdoptionService.DEFAULT_PARALLEL + ", at most "
                + FleetAdoptionService.MAX_PARALLEL + ")") Integer maxParallel,
        @Schema(description = "Adopt drifted schemas too, marked drifted, unless an entry says otherwise"
                + " (default false)") Boolean acceptDrift,
        @Schema(description = "The history table's name when it is not the tool's default, unless an entry says"
                + " otherwise") String historyTable) {

    /** One schema, with the options of one adoption ({@code POST /api/v1/companies} with adopt: true). */
    public record Entry(@Schema(required = true) String schemaName,
                        @Schema(description = "The company's name (default: the schema's name)") String companyName,
                        Boolean acceptDrift,
                        @Schema(description = "For a schema without a history table: the version it stands at")
                        String baselineVersion,
                        String historyTable,
                        Map<String, Object> settings) {
    }

    FleetAdoptionService.FleetRequest toRequest() {
        List<FleetAdoptionService.Item> items = schemas == null ? null : schemas.stream()
                .map(e -> e == null ? null : new FleetAdoptionService.Item(e.schemaName(), e.companyName(),
                        e.acceptDrift(), e.baselineVersion(), e.historyTable(), e.settings()))
                .toList();
        return new FleetAdoptionService.FleetRequest(server, items, Boolean.TRUE.equals(all),
                Boolean.TRUE.equals(acceptDrift), historyTable, maxParallel);
    }
}
