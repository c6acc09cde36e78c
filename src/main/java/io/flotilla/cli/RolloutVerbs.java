package io.flotilla.cli;

import io.flotilla.client.model.Company;
import io.flotilla.client.model.Direction;
import io.flotilla.client.model.Rollout;
import io.flotilla.client.model.RolloutPlanItem;
import io.flotilla.client.model.RolloutPlanView;
import io.flotilla.client.model.RolloutRequest;
import io.flotilla.client.model.RolloutRequestStrategy;
import io.flotilla.security.Role;
import io.flotilla.security.TokenCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code migrate}, {@code rollback} and {@code follow}: start a fleet rollout, or attach to one, and follow it. */
final class RolloutVerbs {

    /** Plans shown in text; --output json has them all. */
    static final int PLAN_LINES = 50;

    private RolloutVerbs() {
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code PT2H}: positive. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = TokenCommand.duration(value);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("'" + value + "' must be longer than zero");
            }
            return d;
        }
    }

    /** An ISO-8601 instant with its offset, as {@code --at} takes it. */
    static final class InstantConverter implements ITypeConverter<OffsetDateTime> {
        @Override
        public OffsetDateTime convert(String value) {
            try {
                return OffsetDateTime.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not an instant such as 2026-12-08T02:00:00Z");
            }
        }
    }

    /** What every rollout verb can be told about which companies, how, and how long to follow. */
    static final class RolloutOptions {
        @Option(names = "--company", order = 1, paramLabel = "X",
                description = "only this company (id, schema name or company name); repeat for more. Default: every active company")
        List<String> companies = new ArrayList<>();

        @Option(names = "--canary", order = 2, paramLabel = "N", description = "the first N companies with work run alone first and must all succeed")
        Integer canary;

        @Option(names = "--batch-size", order = 3, paramLabel = "N", description = "companies per wave after the canary (default: all in one wave)")
        Integer batchSize;

        @Option(names = "--max-parallel", order = 4, paramLabel = "N", description = "schemas migrated at once (service default 4)")
        Integer maxParallel;

        @Option(names = "--max-failures", order = 5, paramLabel = "N",
                description = "failed companies tolerated before no new schema starts (default 0: stop at the first)")
        Integer maxFailures;

        @Option(names = "--allow-drift", order = 6, description = "run even where applied files changed since (refused otherwise)")
        boolean allowDrift;

        @Option(names = "--dry-run", order = 7, description = "print the plan (companies, waves, versions) and exit 0; nothing runs")
        boolean dryRun;

        @Option(names = "--at", order = 8, paramLabel = "INSTANT", converter = InstantConverter.class,
                description = "start at this instant (2026-12-08T02:00:00Z, or with an offset) instead of now: the"
                        + " rollout is scheduled, its id printed, exit 0; `flotilla follow ID` follows it")
        OffsetDateTime at;

        @Option(names = "--timeout", order = 9, paramLabel = "D", converter = DurationConverter.class,
                description = "stop following after D (30s, 15m, 1h) with exit 4; the rollout goes on in the service")
        Duration timeout;

        RolloutRequest request(ServiceConnection service, String direction, String target) {
            List<UUID> ids = null;
            if (!companies.isEmpty()) {
                Set<UUID> resolved = new LinkedHashSet<>();
                for (String ref : companies) {
                    Company c = Companies.resolve(service, ref);
                    resolved.add(c.getId());
                }
                ids = new ArrayList<>(resolved);
            }
            RolloutRequestStrategy strategy = canary == null && batchSize == null && maxParallel == null && maxFailures == null
                    ? null : new RolloutRequestStrategy().canary(canary).batchSize(batchSize).maxParallel(maxParallel)
                    .maxFailures(maxFailures);
            return new RolloutRequest().direction(Direction.fromValue(direction)).targetVersion(target).companyIds(ids).strategy(strategy)
                    .allowDrift(allowDrift ? Boolean.TRUE : null).startAt(at);
        }
    }

    static final String FOLLOWING = "Follows the rollout until it ends: on a terminal a live progress bar on stderr (companies"
            + " done / total, failures, rate, ETA), otherwise one line per wave and a summary. Ctrl-C stops following only:"
            + " the rollout goes on in the service, and `flotilla follow ID` attaches again.";

    /** Starts (or plans) a rollout and follows it. */
    abstract static class Start extends Verb.OnService {
        @Mixin
        RolloutOptions options;

        abstract String direction();

        abstract String target();

        @Override
        protected Outcome run(Output output) {
            ServiceConnection service = connect();
            RolloutRequest request = options.request(service, direction(), target());
            if (options.dryRun) {
                RolloutPlanView plan = service.planRollout(request);
                return Outcome.ok(plan, plan(plan));
            }
            Rollout started = service.startRollout(request);
            if (options.at != null) {
                return Outcome.ok(started, "rollout " + started.getId() + " scheduled for " + options.at
                        + " (" + started.getTotalTargets() + " companies now); follow it with `flotilla follow "
                        + started.getId() + "`; cancel it with POST /api/v1/rollouts/"
                        + started.getId() + "/cancel");
            }
            return new RolloutFollower(service, output, root.terminal(), spec.name()).follow(started, options.timeout);
        }
    }

    @Command(name = "migrate", header = "Roll the fleet forward and follow the rollout", sortOptions = false,
            description = {"Roll the fleet forward: start a rollout (POST /api/v1/rollouts) up to --target (default: the"
                    + " latest version) and follow it. " + FOLLOWING,
                    "Exit 0 when it succeeded with no failed company, 1 when a company failed or it ended failed or"
                            + " cancelled, 4 on --timeout. Refused before anything runs (exit 2): drifted files,"
                            + " companies already in another rollout, a missing extension.",
                    "Role operator."},
            footer = {"", "Examples:", "  flotilla migrate", "  flotilla migrate --canary 2 --max-parallel 8 --timeout 30m",
                    "  flotilla migrate --at 2026-12-08T02:00:00Z",
                    "  flotilla migrate --target 7 --company acme --company globex --dry-run"})
    static final class Migrate extends Start {
        @Option(names = "--target", paramLabel = "V", description = "the version to reach (default: the latest)", order = 0)
        String target;

        @Override
        Role role() {
            return Role.OPERATOR;
        }

        @Override
        String direction() {
            return "up";
        }

        @Override
        String target() {
            return target;
        }
    }

    @Command(name = "rollback", header = "Roll the fleet back to a version and follow the rollout", sortOptions = false,
            description = {"Roll the fleet back down to --target V (0 undoes everything): runs the rollback files from the"
                    + " top down, as a rollout with direction down, and follows it. " + FOLLOWING,
                    "Exit codes as for migrate. Role admin (rolling back destroys data)."},
            footer = {"", "Examples:", "  flotilla rollback --target 5 --dry-run", "  flotilla rollback --target 5 --company acme"})
    static final class Rollback extends Start {
        @Option(names = "--target", paramLabel = "V", required = true, description = "the version to go back to", order = 0)
        String target;

        @Override
        Role role() {
            return Role.ADMIN;
        }

        @Override
        String direction() {
            return "down";
        }

        @Override
        String target() {
            return target;
        }
    }

    @Command(name = "follow", header = "Attach to a rollout and follow it to its end", sortOptions = false,
            description = {"Attach to a running or finished rollout (GET /api/v1/rollouts/{id}) and follow it to its end,"
                    + " as migrate does. Exit codes as for migrate.", "Role viewer."},
            footer = {"", "Example:", "  flotilla follow 3f1c2b9e-5d4a-4f7e-9c1b-2a6d8e0f4b13 --timeout 10m"})
    static final class Follow extends Verb.OnService {
        @Parameters(paramLabel = "ROLLOUT_ID", description = "the rollout's id (migrate prints it)")
        UUID id;

        @Option(names = "--timeout", paramLabel = "D", converter = DurationConverter.class,
                description = "stop following after D (30s, 15m, 1h) with exit 4; the rollout goes on in the service")
        Duration timeout;


        @Override
        protected Outcome run(Output output) {
            ServiceConnection service = connect();
            Rollout rollout = service.call(() -> service.rollouts().getRollout(id));
            return new RolloutFollower(service, output, root.terminal(), spec.name()).follow(rollout, timeout);
        }
    }

    static String plan(RolloutPlanView plan) {
        StringBuilder s = new StringBuilder("dry run, nothing started: ").append(plan.getDirection())
                .append(plan.getTargetVersion() == null ? " to the latest version" : " to version " + plan.getTargetVersion())
                .append(": ").append(plan.getCompanies()).append(" companies in ").append(plan.getWaves())
                .append(plan.getWaves() != null && plan.getWaves() == 1 ? " wave, " : " waves, ").append(plan.getSteps())
                .append(" steps; ").append(plan.getUpToDate()).append(" up to date\n");
        List<RolloutPlanItem> items = plan.getPlan() == null ? List.of() : plan.getPlan();
        for (RolloutPlanItem item : items.subList(0, Math.min(PLAN_LINES, items.size()))) {
            s.append(String.format("  wave %-3d %-24s %s%n", item.getWave() + 1, item.getSchemaName(),
                    String.join(", ", item.getVersions())));
        }
        if (items.size() > PLAN_LINES) {
            s.append("  … and ").append(items.size() - PLAN_LINES).append(" more (--output json lists them all)\n");
        }
        return s.toString();
    }
}
