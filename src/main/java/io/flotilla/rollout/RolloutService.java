package io.flotilla.rollout;

import io.flotilla.catalog.Direction;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.lock.LockPolicy;
import io.flotilla.notify.EventType;
import io.flotilla.notify.Events;
import io.flotilla.security.Role;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.logging.Log;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Starting, observing and steering rollouts; the {@link RolloutWorker} does the running. */
@ApplicationScoped
public class RolloutService {

    /** Connections kept free of rollout work: the API, the poller and each rollout's lock need some. */
    static final int POOL_HEADROOM = 2;

    private final RolloutPlanner planner;
    private final RolloutRepository rollouts;
    private final RolloutWorker worker;
    private final FlotillaConfig config;
    private final int poolSize;
    private final CurrentIdentityAssociation identity;
    private final RolloutSchedule schedule;
    private final Events events;
    private final MeterRegistry metrics;

    public RolloutService(RolloutPlanner planner, RolloutRepository rollouts, RolloutWorker worker, FlotillaConfig config,
                          @ConfigProperty(name = "quarkus.datasource.reactive.max-size") int poolSize,
                          CurrentIdentityAssociation identity, RolloutSchedule schedule, Events events,
                          MeterRegistry metrics) {
        this.events = events;
        this.metrics = metrics;
        // Every outcome's series exists from the start at 0, so an alert's increase() has a series before the first one.
        List.of(RolloutState.SUCCEEDED, RolloutState.FAILED, RolloutState.CANCELLED).forEach(outcome ->
                Counter.builder("flotilla.rollouts.finished").tag("outcome", outcome.value()).register(metrics));
        this.identity = identity;
        this.schedule = schedule;
        this.planner = planner;
        this.rollouts = rollouts;
        this.worker = worker;
        this.config = config;
        this.poolSize = poolSize;
    }

    /** Schemas in flight when a request does not say: the configured default, within what the pool allows. */
    public int defaultMaxParallel() {
        return Math.min(config.rollout().defaultMaxParallel(), maxParallelLimit());
    }

    private int maxParallelLimit() {
        return Math.max(1, poolSize - POOL_HEADROOM);
    }

    /**
     * Checks what {@link RolloutSpec#parse} cannot alone: the strategy's bounds (parallelism is bounded by this
     * service's pool) and that the canary companies are among the chosen ones.
     */
    public RolloutSpec validate(RolloutSpec spec) {
        RolloutStrategy strategy = spec.strategy();
        int maxParallelLimit = maxParallelLimit();
        if (strategy.maxParallel() < 1 || strategy.maxParallel() > maxParallelLimit) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.maxParallel must be between 1 and "
                    + maxParallelLimit + " (DB_POOL_MAX " + poolSize + " less " + POOL_HEADROOM + " kept for the service)");
        }
        if (strategy.batchSize() != null && strategy.batchSize() < 1) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.batchSize must be at least 1");
        }
        if (strategy.maxParallelPerServer() != null
                && (strategy.maxParallelPerServer() < 1 || strategy.maxParallelPerServer() > strategy.maxParallel())) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.maxParallelPerServer must be between 1 and"
                    + " strategy.maxParallel (" + strategy.maxParallel() + ")");
        }
        if (strategy.maxFailuresPerServer() != null && strategy.maxFailuresPerServer() < 0) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.maxFailuresPerServer cannot be negative");
        }
        if (strategy.canary() < 0 || strategy.maxFailures() < 0) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.canary and strategy.maxFailures cannot be negative");
        }
        validateLocks(strategy);
        if (!spec.companyIds().isEmpty() && !spec.canaryIds().isEmpty() && !spec.companyIds().containsAll(spec.canaryIds())) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.canaryIds must be among companyIds");
        }
        return spec;
    }

    /** The strategy's lock fields: each a duration PostgreSQL can take, and a known onLockTimeout. */
    private static void validateLocks(RolloutStrategy strategy) {
        if (!RolloutStrategy.FAIL.equals(strategy.onLockTimeout()) && !RolloutStrategy.WAIT.equals(strategy.onLockTimeout())) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.onLockTimeout must be 'fail' or 'wait', got '"
                    + strategy.onLockTimeout() + "'");
        }
        if (strategy.lockTimeouts() != null) {
            String bad = strategy.lockTimeouts().contains(null) ? "null" : LockPolicy.badTimeout(strategy.lockTimeouts());
            if (bad != null || strategy.lockTimeouts().size() > 100) {
                throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.lockTimeouts must hold at most 100"
                        + " positive durations such as \"100ms\", \"2s\", \"1m\" (at most 24h; an empty array: no lock_timeout)"
                        + (bad == null ? "" : "; got '" + bad + "'"));
            }
        }
        durationOrThrow("strategy.lockBudget", strategy.lockBudget());
        durationOrThrow("strategy.statementTimeout", strategy.statementTimeout());
    }

    private static void durationOrThrow(String field, String value) {
        if (value != null && LockPolicy.parseDuration(value).isEmpty()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, field + " must be a duration such as \"500ms\","
                    + " \"30s\", \"5m\" (at most 24h; \"0\" for none), got '" + value + "'");
        }
    }

    /**
     * A deadline must leave the rollout some time: after {@code start} (now, or a scheduled rollout's startAt). Checked
     * when asked for, not when a scheduled rollout starts: one started late (every replica down) past its deadline
     * cancels its companies, as the deadline says.
     */
    private static void deadlineAfter(RolloutSpec spec, OffsetDateTime start, String what) {
        OffsetDateTime deadline = spec.strategy().deadline();
        if (deadline != null && !deadline.isAfter(start)) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.deadline must be after " + what
                    + "; got " + deadline);
        }
    }

    /** The plan, with the template values each company would get; nothing is stored or run. */
    public Uni<RolloutPlan> dryRun(RolloutSpec request) {
        return planner.plan(validate(request), true);
    }

    /** Plans, stores and hands the rollout to the workers. Rolling back destroys data: it needs role admin. */
    public Uni<Rollout> start(RolloutSpec request, JsonObject raw) {
        RolloutSpec spec = validate(request);
        deadlineAfter(spec, OffsetDateTime.now(), "now");
        return allowed(spec).flatMap(x -> planner.plan(spec, false))
                .flatMap(plan -> rollouts.insert(spec, plan, raw))
                .invoke(id -> worker.kick())
                .flatMap(this::get)
                .invoke(r -> {
                    // Nothing to do: stored succeeded at once, never run by a worker, so reported here.
                    if (r.state() == RolloutState.SUCCEEDED) {
                        finished(RolloutState.SUCCEEDED);
                        events.rollout(EventType.ROLLOUT_SUCCEEDED, r.id(), null);
                    }
                });
    }

    private Uni<Void> allowed(RolloutSpec spec) {
        return spec.target().direction() != Direction.DOWN ? Uni.createFrom().voidItem()
                : identity.getDeferredIdentity().map(who -> {
                    if (!who.hasRole(Role.ADMIN.value())) {
                        throw new FlotillaException(ErrorCode.FORBIDDEN, "Rolling back needs role admin (a dry run of it does not)");
                    }
                    return null;
                });
    }

    /**
     * Stores a rollout that starts at {@code startAt}: {@code scheduled} until then, with a Quartz trigger that plans
     * and starts it (see {@link RolloutSchedule}). What a start would refuse now (the role, the strategy, a drifted
     * file, a missing rollback file or extension) is refused now; what can only be known then (a company held by
     * another rollout) fails the rollout then, with the reason in its error.
     */
    public Uni<Rollout> schedule(RolloutSpec request, JsonObject raw, OffsetDateTime startAt) {
        OffsetDateTime now = OffsetDateTime.now();
        if (!startAt.isAfter(now) || startAt.isAfter(now.plusDays(366))) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "startAt must be in the future and at most a year"
                    + " ahead; got " + startAt + " (now " + now.withNano(0) + ")");
        }
        RolloutSpec spec = validate(request);
        deadlineAfter(spec, startAt, "startAt " + startAt);
        return allowed(spec).flatMap(x -> planner.plan(spec, false))
                .flatMap(plan -> rollouts.insertScheduled(spec, raw, startAt,
                        plan.entries().size() + plan.upToDate().size()))
                .call(id -> blocking(() -> schedule.schedule(id, startAt))
                        .onFailure().call(e -> rollouts.failScheduled(id, e.getMessage())))
                .flatMap(this::get)
                .invoke(r -> events.rollout(EventType.ROLLOUT_SCHEDULED, r.id(), null));
    }

    /**
     * The firing of a scheduled rollout (exactly one replica's, see {@link RolloutSchedule}): plans it from its
     * stored request now and hands it to the workers. One that is no longer scheduled (cancelled, or started by an
     * earlier firing) is left alone; one whose plan is refused now fails with the reason.
     */
    Uni<Void> startScheduled(UUID id) {
        return rollouts.scheduledRequest(id).flatMap(raw -> {
            if (raw == null) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().deferred(() -> {
                        RolloutSpec spec = validate(RolloutSpec.fromRequest(raw, defaultMaxParallel()));
                        return planner.plan(spec, false).flatMap(plan -> rollouts.activate(id, spec, plan));
                    })
                    .onFailure(FlotillaException.class).recoverWithUni(e -> rollouts.failScheduled(id,
                            "not started at its startAt: " + e.getMessage())
                            .invoke(() -> finished(RolloutState.FAILED))
                            .invoke(() -> events.rollout(EventType.ROLLOUT_FAILED, id, "not started at its startAt: "
                                    + e.getMessage()))
                            .replaceWith(false))
                    .invoke(started -> {
                        if (started) {
                            Log.infof("Scheduled rollout %s started", id);
                            worker.kick();
                        }
                    })
                    .replaceWithVoid();
        });
    }

    /**
     * A rollout that ended without a worker running it (nothing to do; a scheduled one refused at its startAt): counted
     * in {@code flotilla.rollouts.finished} as the workers count theirs, so alerts on failures see these too.
     */
    private void finished(RolloutState outcome) {
        Counter.builder("flotilla.rollouts.finished").tag("outcome", outcome.value()).register(metrics).increment();
    }

    /** Quartz's store is JDBC: its calls run on a worker thread, never the event loop. */
    private static Uni<Void> blocking(Runnable call) {
        return Uni.createFrom().<Void>item(() -> {
            call.run();
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    public Uni<Rollout> get(UUID id) {
        return rollouts.find(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<List<Rollout>> list(int limit) {
        return rollouts.list(limit);
    }

    /** In-flight schemas finish; no new ones start until resumed. */
    public Uni<Rollout> pause(UUID id) {
        return move(id, List.of(RolloutState.PENDING, RolloutState.RUNNING), RolloutState.PAUSED, "pause",
                EventType.ROLLOUT_PAUSED)
                .invoke(r -> worker.signal(id, RolloutState.PAUSED));
    }

    public Uni<Rollout> resume(UUID id) {
        return move(id, List.of(RolloutState.PAUSED), RolloutState.RUNNING, "resume", EventType.ROLLOUT_RESUMED).invoke(r -> worker.kick());
    }

    /** In-flight schemas finish; the rest are not started and their companies are released. */
    public Uni<Rollout> cancel(UUID id) {
        return move(id, List.of(RolloutState.SCHEDULED, RolloutState.PENDING, RolloutState.RUNNING, RolloutState.PAUSED),
                RolloutState.CANCELLED, "cancel", EventType.ROLLOUT_CANCELLED)
                // A scheduled one's trigger goes too (its firing would find it cancelled and do nothing anyway).
                .call(r -> r.startAt() == null ? Uni.createFrom().voidItem() : blocking(() -> schedule.unschedule(id)))
                .invoke(r -> {
                    worker.signal(id, RolloutState.CANCELLED);
                    worker.kick();
                });
    }

    /** The state change, committed, then reported to webhooks as {@code event}. */
    private Uni<Rollout> move(UUID id, List<RolloutState> from, RolloutState to, String verb, EventType event) {
        return rollouts.transition(id, from, to).flatMap(moved -> {
            if (moved) {
                events.rollout(event, id, null);
                return get(id);
            }
            return rollouts.state(id).map(state -> {
                if (state == null) {
                    throw notFound(id);
                }
                throw new FlotillaException(ErrorCode.ROLLOUT_STATE, "Cannot " + verb + " rollout " + id + ": it is "
                        + state.value(), Map.of("state", state.value()));
            });
        });
    }

    private static FlotillaException notFound(UUID id) {
        return new FlotillaException(ErrorCode.ROLLOUT_NOT_FOUND, "No rollout with id " + id);
    }
}
