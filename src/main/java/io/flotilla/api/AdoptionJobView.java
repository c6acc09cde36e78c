package io.flotilla.api;

import io.flotilla.adoption.FleetAdoptionService.DryRun;
import io.flotilla.adoption.FleetAdoptionService.Job;
import io.flotilla.adoption.FleetAdoptionService.Outcome;
import io.flotilla.adoption.FleetAdoptionService.Result;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A fleet adoption: its progress (done of total, by outcome) and each schema's result so far. */
public record AdoptionJobView(
        @Schema(description = "The job; absent for a dry run, which records nothing", nullable = true) UUID id,
        String server,
        boolean dryRun,
        @Schema(description = "running, finished, or failed (the job itself stopped: see error)",
                enumeration = {"running", "finished", "failed"}) String state,
        @Schema(description = "Schemas the job takes") int total,
        @Schema(description = "Schemas decided so far") int done,
        int adopted,
        int refused,
        int alreadyAdopted,
        int failed,
        @Schema(description = "Expected shapes built: one per distinct set of versions and template values") Integer scratchBuilds,
        @Schema(description = "Why the job stopped; absent unless it failed", nullable = true) String error,
        @Schema(description = "Absent for a dry run", nullable = true) OffsetDateTime startedAt,
        @Schema(description = "Absent while it runs, and for a dry run", nullable = true) OffsetDateTime finishedAt,
        @Schema(description = "One per schema decided, in the order decided") List<AdoptionResultView> results) {

    static AdoptionJobView of(Job job) {
        return new AdoptionJobView(job.id(), job.server(), false, job.state(), job.total(), job.results().size(),
                count(job.results(), Outcome.ADOPTED), count(job.results(), Outcome.REFUSED),
                count(job.results(), Outcome.ALREADY_ADOPTED), count(job.results(), Outcome.FAILED),
                job.scratchBuilds(), job.error(), job.startedAt(), job.finishedAt(),
                job.results().stream().map(AdoptionResultView::of).toList());
    }

    static AdoptionJobView of(DryRun run) {
        return new AdoptionJobView(null, run.server(), true, "finished", run.total(), run.results().size(),
                count(run.results(), Outcome.ADOPTED), count(run.results(), Outcome.REFUSED),
                count(run.results(), Outcome.ALREADY_ADOPTED), count(run.results(), Outcome.FAILED),
                run.scratchBuilds(), null, null, null, run.results().stream().map(AdoptionResultView::of).toList());
    }

    private static int count(List<Result> results, Outcome outcome) {
        return (int) results.stream().filter(r -> r.outcome() == outcome).count();
    }
}
