package io.flotilla.cli;

import io.flotilla.client.model.AdoptionJobView;
import io.flotilla.client.model.AdoptionResultView;
import io.flotilla.client.model.FleetAdoptionRequest;
import io.flotilla.client.model.Refusal;
import io.flotilla.security.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code adopt}: adopt every schema of a server that another tool migrated (POST /api/v1/companies/adopt with
 * "all": true), and follow the job (GET /api/v1/adoptions/{id}) to its end, progress on stderr.
 */
@Command(name = "adopt", header = "Adopt the schemas another tool migrated on a server, and follow the job",
        sortOptions = false,
        description = {"Adopt every schema on --server that holds a history table Flotilla reads (Flyway,"
                + " golang-migrate, dbmate, goose, Prisma, Liquibase) and is no company yet, each as a company named"
                + " after its schema: its versions recorded as adopted steps, no migration run, the tool's table never"
                + " written. Follows the job until it ends, a progress line on stderr. --dry-run prints what would be"
                + " adopted and what refused, and why; nothing is recorded.",
                "Exit 0 when every schema was adopted (or would be), 1 when any was refused or failed, 2 on usage or"
                        + " connection errors or a request the service refused, 4 on --timeout (the job goes on in the"
                        + " service). Role admin."},
        footer = {"", "Examples:", "  flotilla adopt --server home --all --dry-run",
                "  flotilla adopt --server pg2 --all --max-parallel 8"})
final class AdoptVerb extends Verb.OnService {

    /** Results listed in text; --output json has them all. */
    static final int RESULT_LINES = 50;
    static final Duration POLL = Duration.ofMillis(500);

    @Option(names = "--server", required = true, paramLabel = "S", order = 1, description = "the registered server (home for the control plane's own)")
    String server;

    @Option(names = "--all", order = 2, description = "every schema the server's discovery lists (required: adopting a list is the API's)")
    boolean all;

    @Option(names = "--dry-run", order = 3, description = "decide every schema and record nothing")
    boolean dryRun;

    @Option(names = "--max-parallel", order = 4, paramLabel = "N", description = "schemas adopted at once (service default 4)")
    Integer maxParallel;

    @Option(names = "--accept-drift", order = 5, description = "adopt schemas that differ from their versions too, marked drifted")
    boolean acceptDrift;

    @Option(names = "--timeout", order = 6, paramLabel = "D", converter = RolloutVerbs.DurationConverter.class,
            description = "stop following after D (30s, 15m, 1h) with exit 4; the job goes on in the service")
    Duration timeout;

    @Override
    Role role() {
        return Role.ADMIN;
    }

    @Override
    protected Outcome run(Output output) {
        if (!all) {
            throw CliFailure.usage("say which schemas: --all adopts every schema the server's discovery lists;"
                    + " nothing was sent");
        }
        ServiceConnection service = connect();
        FleetAdoptionRequest request = new FleetAdoptionRequest().server(server).all(true).dryRun(dryRun)
                .maxParallel(maxParallel).acceptDrift(acceptDrift ? Boolean.TRUE : null);
        AdoptionJobView job = service.call(() -> service.companies().adoptCompanies(request));
        if (!dryRun) {
            job = follow(service, output, job);
            if (job.getState() == AdoptionJobView.StateEnum.RUNNING) {
                return Outcome.of(ExitCode.GAVE_UP, job, summary(job), "gave up after " + timeout + ": adoption job "
                        + job.getId() + " goes on in the service (GET /api/v1/adoptions/" + job.getId() + ")");
            }
        }
        boolean clean = count(job.getRefused()) == 0 && count(job.getFailed()) == 0
                && job.getState() != AdoptionJobView.StateEnum.FAILED;
        return Outcome.of(clean ? ExitCode.OK : ExitCode.FAILED, job, summary(job), clean ? null
                : count(job.getRefused()) + " refused, " + count(job.getFailed()) + " failed"
                + (job.getError() == null ? "" : "; the job stopped: " + job.getError()));
    }

    /** Polls the job until it is no longer running or the timeout comes; a progress line on stderr as it moves. */
    private AdoptionJobView follow(ServiceConnection service, Output output, AdoptionJobView started) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        AdoptionJobView job = started;
        int shown = -1;
        while (job.getState() == AdoptionJobView.StateEnum.RUNNING && System.nanoTime() < deadline) {
            if (count(job.getDone()) != shown) {
                shown = count(job.getDone());
                output.err().println(progress(job));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.usage("interrupted while following adoption job " + started.getId());
            }
            String id = started.getId().toString();
            job = service.call(() -> service.companies().getAdoptionJob(id));
        }
        output.err().println(progress(job));
        return job;
    }

    private static String progress(AdoptionJobView job) {
        return String.format("adoption %s on %s: %d/%d decided, %d adopted, %d refused, %d already adopted, %d failed",
                job.getId(), job.getServer(), count(job.getDone()), count(job.getTotal()), count(job.getAdopted()),
                count(job.getRefused()), count(job.getAlreadyAdopted()), count(job.getFailed()));
    }

    static String summary(AdoptionJobView job) {
        StringBuilder s = new StringBuilder(Boolean.TRUE.equals(job.getDryRun()) ? "dry run, nothing recorded: " : "")
                .append(count(job.getTotal())).append(" schemas on ").append(job.getServer()).append(": ")
                .append(count(job.getAdopted())).append(Boolean.TRUE.equals(job.getDryRun()) ? " would be adopted, "
                        : " adopted, ")
                .append(count(job.getRefused())).append(" refused, ").append(count(job.getAlreadyAdopted()))
                .append(" already adopted, ").append(count(job.getFailed())).append(" failed\n");
        List<AdoptionResultView> notAdopted = job.getResults() == null ? List.of() : job.getResults().stream()
                .filter(r -> r.getOutcome() != AdoptionResultView.OutcomeEnum.ADOPTED).toList();
        for (AdoptionResultView r : notAdopted.subList(0, Math.min(RESULT_LINES, notAdopted.size()))) {
            s.append(String.format("  %-15s %-24s %s%n", r.getOutcome().getValue(), r.getSchemaName(), why(r)));
        }
        if (notAdopted.size() > RESULT_LINES) {
            s.append("  … and ").append(notAdopted.size() - RESULT_LINES).append(" more (--output json lists them all)\n");
        }
        return s.toString();
    }

    private static String why(AdoptionResultView r) {
        if (r.getRefusals() != null && !r.getRefusals().isEmpty()) {
            return r.getRefusals().stream().map(Refusal::getDetail).collect(Collectors.joining("; "));
        }
        return r.getErrorCode() == null ? (r.getDetail() == null ? "" : r.getDetail())
                : r.getErrorCode() + ": " + r.getDetail();
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }
}
