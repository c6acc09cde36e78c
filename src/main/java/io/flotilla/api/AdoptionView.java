package io.flotilla.api;

import io.flotilla.adoption.AdoptionService.Adoption;
import io.flotilla.verification.Verification;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** What adopting a schema did: the history read, the versions recorded as adopted, and the verification. */
public record AdoptionView(
        @Schema(description = "False when the schema was an adopted company already: nothing was done") boolean created,
        @Schema(description = "The tool whose history table was read (flyway, golang-migrate, dbmate, goose, prisma,"
                + " liquibase), or baseline") String tool,
        @Schema(description = "The table read; absent for a baseline", nullable = true) String historyTable,
        @Schema(description = "The run of the adopted ledger steps") UUID runId,
        @Schema(description = "The versions recorded as adopted, in version order") List<String> adoptedVersions,
        @Schema(description = "Adopted with acceptDrift although the schema differs from its versions") boolean drifted,
        @Schema(description = "The schema against the adopted versions; absent when nothing was done", nullable = true)
        Verification verification) {

    static AdoptionView of(Adoption a) {
        return new AdoptionView(a.created(), a.tool(), a.historyTable(), a.runId(), a.versions(), a.drifted(),
                a.verification());
    }
}
