package io.flotilla.api;

import io.flotilla.adoption.FleetAdoptionService.Result;
import io.flotilla.adoption.Refusal;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** What became (or, in a dry run, would become) of one schema of a fleet adoption. */
public record AdoptionResultView(
        String schemaName,
        String companyName,
        @Schema(description = "adopted (in a dry run: would be); refused (see refusals; nothing recorded);"
                + " already-adopted (nothing done); failed (not decided: see errorCode)",
                enumeration = {"adopted", "refused", "already-adopted", "failed"}) String outcome,
        @Schema(description = "The company; absent in a dry run and when refused") UUID companyId,
        @Schema(description = "The tool whose history was read, or baseline") String tool,
        @Schema(description = "How many versions were (or would be) recorded as adopted") Integer versions,
        @Schema(description = "Adopted with acceptDrift although the schema differs from its versions") boolean drifted,
        @Schema(description = "Why it was refused, as POST /api/v1/companies with adopt: true says") List<Refusal> refusals,
        @Schema(description = "When failed: the problem's code, e.g. schema-busy, server-unavailable,"
                + " company-name-taken") String errorCode,
        String detail) {

    static AdoptionResultView of(Result r) {
        return new AdoptionResultView(r.schemaName(), r.companyName(), r.outcome().value(), r.companyId(), r.tool(),
                r.versions(), r.drifted(), r.refusals(), r.errorCode(), r.detail());
    }
}
