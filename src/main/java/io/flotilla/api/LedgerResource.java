package io.flotilla.api;

import io.flotilla.catalog.Version;
import io.flotilla.ledger.LedgerEntry;
import io.flotilla.ledger.LedgerFilter;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.StepStatus;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/ledger")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Ledger")
public class LedgerResource {

    private final LedgerRepository ledger;

    public LedgerResource(LedgerRepository ledger) {
        this.ledger = ledger;
    }

    @GET
    @Operation(summary = "Ledger steps, newest first, filtered; page with before=<nextBefore>")
    public Uni<LedgerPage> find(@QueryParam("companyId") String companyId, @QueryParam("version") String version,
                                @QueryParam("status") String status, @QueryParam("since") String since,
                                @QueryParam("before") String before, @QueryParam("limit") String limit) {
        int max = Params.integer("limit", limit, 100, 1, 1000);
        LedgerFilter filter = new LedgerFilter(Params.optionalUuid("companyId", companyId),
                version == null || version.isEmpty() ? null : Version.parse(version),
                status == null || status.isEmpty() ? null : StepStatus.parse(status),
                Params.optionalTime("since", since), Params.optionalLong("before", before), max);
        return ledger.find(filter).map(items -> new LedgerPage(items,
                items.size() < max ? null : items.get(items.size() - 1).id()));
    }
}
