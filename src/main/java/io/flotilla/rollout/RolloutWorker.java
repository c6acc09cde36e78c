package io.flotilla.rollout;

import io.flotilla.catalog.CatalogService;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.lock.LockPauses;
import io.flotilla.lock.SteppedAside;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.migration.TemplateRepository;
import io.flotilla.move.MoveRepository;
import io.flotilla.move.MoveTenant;
import io.flotilla.notify.EventType;
import io.flotilla.notify.Events;
import io.flotilla.rollout.RolloutRepository.TargetUpdate;
import io.flotilla.rollout.RolloutRepository.TargetWork;
import io.flotilla.rollout.RolloutRepository.Work;
import io.flotilla.server.HomeOutage;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.Connections;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs rollouts. Every replica polls for rollouts that should be running; one takes a rollout by winning its
 * session-level advisory lock on a connection it keeps for the whole run. If that process dies, PostgreSQL
 * drops the session and the lock with it, and the next poll of any replica (or of the restarted process) takes
 * the rollout over: companies whose steps committed are done, the rest run again (the ledger and the per-schema
 * lock make that exactly-once). The owner heartbeats on the same connection and reads back pause and cancel.
 */
@ApplicationScoped
public class RolloutWorker {

    /** The start of a window-waiting company's reason, followed by the instant its window opens next. */
    public static final String WINDOW_REASON = "outside its maintenance window; opens at ";
    private static final Duration MIN_LOOK = Duration.ofMillis(10);

    private final Pool pool;
    private final Vertx vertx;
    private final RolloutRepository rollouts;
    private final SchemaMigrator migrator;
    private final AdvisoryLocks locks;
    private final TemplateRepository lookup;
    private final ServerPools servers;
    private final CatalogService catalog;
    private final FlotillaConfig config;
    private final MeterRegistry metrics;
    private final HomeOutage outage;
    private final Events events;
    private final String owner;
    private final MoveRepository moves;

    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Execution> executions = new ConcurrentHashMap<>();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong pendingSteps = new AtomicLong();
    private volatile boolean stopping;
    /** Connections per pool ({@code DB_POOL_MAX}): slots lent by pausing steps still hold theirs. */
    private final int poolSize;
    private ScheduledExecutorService ticker;

    public RolloutWorker(Pool pool, Vertx vertx, RolloutRepository rollouts, SchemaMigrator migrator,
                         AdvisoryLocks locks, TemplateRepository lookup, ServerPools servers, CatalogService catalog, FlotillaConfig config, MeterRegistry metrics,
                         HomeOutage outage, Events events, MoveRepository moves,
                         @ConfigProperty(name = "quarkus.datasource.reactive.max-size") int poolSize) {
        this.moves = moves;
        this.outage = outage;
        this.events = events;
        this.poolSize = poolSize;
        this.locks = locks;
        this.lookup = lookup;
        this.servers = servers;
        this.pool = pool;
        this.vertx = vertx;
        this.rollouts = rollouts;
        this.migrator = migrator;
        this.catalog = catalog;
        this.config = config;
        this.metrics = metrics;
        this.owner = migrator.executedBy() + "/" + UUID.randomUUID().toString().substring(0, 8);
        metrics.gauge("flotilla.schemas.in.flight", inFlight);
        metrics.gauge("flotilla.steps.pending", pendingSteps);
    }

    void start(@Observes StartupEvent event) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flotilla-rollout-poll"));
        long every = config.rollout().pollInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, 0, every, TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM: start no new schema, let the ones in flight finish within the grace period, and leave the rest of
     * each rollout to another replica (or this one after a restart), which takes it over at its next poll.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        int atStop = inFlight.get();
        int rollouts = executions.size();
        long deadline = System.nanoTime() + config.rollout().shutdownGrace().toNanos();
        // In-flight schemas first, then each rollout's release of its ownership (written after its last schema ends).
        while ((inFlight.get() > 0 || !running.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            Log.warnf("Shutting down with %d schemas still in flight after the grace period; their steps roll back"
                    + " and another replica runs them again", inFlight.get());
        } else {
            Log.infof("Rollout worker stopped: in-flight schemas finished (%d were running, %d rollout(s) left for"
                    + " another replica)", atStop, rollouts);
        }
    }

    /** Looks for work now rather than at the next poll (after a create or a resume). */
    public void kick() {
        if (ticker != null && !ticker.isShutdown()) {
            ticker.execute(this::tick);
        }
    }

    public String owner() {
        return owner;
    }

    /**
     * An operator paused or cancelled a rollout through this replica: if it runs here, stop starting schemas now
     * rather than at the next heartbeat (other replicas' owners learn it from their heartbeat).
     */
    public void signal(UUID id, RolloutState state) {
        Execution execution = executions.get(id);
        if (execution != null) {
            execution.observed = state;
        }
    }

    private void tick() {
        if (stopping || !ticking.compareAndSet(false, true)) {
            return;
        }
        rollouts.claimable().subscribe().with(ids -> {
            outage.answered();
            ids.stream().filter(running::add).forEach(this::tryRun);
            ticking.set(false);
        }, failure -> {
            if (!outage.failed(failure, "the rollout poll (retried every " + config.rollout().pollInterval().toMillis()
                    + " ms)")) {
                Log.debugf("Rollout poll failed: %s", failure.getMessage());
            }
            ticking.set(false);
        });
    }

    private void tryRun(UUID id) {
        Connections.take(pool).flatMap(conn -> locks.tryLockRollout(conn, id)
                        .flatMap(won -> won
                                ? run(conn, id).eventually(() -> locks.unlockRollout(conn, id).onFailure().recoverWithNull())
                                : Uni.createFrom().voidItem())
                        .eventually(conn::close))
                .subscribe().with(ok -> running.remove(id), failure -> {
                    if (!outage.failed(failure, "rollout " + id + " stopped on this replica, resumed by the next poll")) {
                        Log.warnf("Rollout %s stopped on this replica: %s", id, failure.getMessage());
                    }
                    running.remove(id);
                });
    }

    private Uni<Void> run(SqlConnection lock, UUID id) {
        return rollouts.work(lock, id).flatMap(work -> {
            if (work.state().terminal()) {
                return rollouts.close(lock, id, work.state(), null); // a dead owner's companies, released
            }
            if (work.state() == RolloutState.PAUSED) {
                return rollouts.release(lock, id);
            }
            return new Execution(lock, work).run();
        });
    }

    /** One rollout run by this replica, from wherever it stands. */
    private final class Execution {
        private final SqlConnection lock;
        private final Work work;
        private final Target target;
        private final AtomicLong failed;
        private final AtomicInteger canaryFailures = new AtomicInteger();
        private final Map<String, AtomicLong> failedByServer = new ConcurrentHashMap<>();
        /** Servers this run could not reach, with why; their companies wait (not failed) until they answer again. */
        private final Map<String, String> unreachable = new ConcurrentHashMap<>();
        private final List<TargetWork> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Companies whose step spent its lock budget under onLockTimeout "wait": tried again after the others. */
        private final List<TargetWork> lockWaiting = new java.util.concurrent.CopyOnWriteArrayList<>();
        /**
         * Companies whose maintenance window was closed when their turn came: each runs once its window opens (a run
         * started inside the window is not cut when it closes); the deadline cancels those still waiting.
         */
        private final List<TargetWork> windowWaiting = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Companies that ended here (succeeded, failed, skipped, cancelled): the rest were not reached. */
        private final Set<UUID> ended = ConcurrentHashMap.newKeySet();
        /** Companies that waited for locks at least once: they show as waiting while tried again, not as running. */
        private final Set<UUID> waitedForLocks = ConcurrentHashMap.newKeySet();
        /** Where companies that stepped aside for their locks stand: their next run's step carries on from there. */
        private final Map<UUID, SteppedAside> asides = new ConcurrentHashMap<>();
        private volatile boolean waitLogged;
        private final AtomicLong localPending = new AtomicLong();
        private final Map<UUID, TargetUpdate> reports = new java.util.LinkedHashMap<>();
        private volatile boolean lookUp = true;
        private volatile RolloutState observed;
        private volatile boolean connectionLost;
        private volatile int wave;
        private long heartbeatTimer = -1;

        Execution(SqlConnection lock, Work work) {
            this.lock = lock;
            this.work = work;
            this.target = work.target();
            this.failed = new AtomicLong(work.failedSoFar());
            this.observed = work.state();
            this.wave = work.currentWave();
            work.failedByServer().forEach((server, n) -> failedByServer.put(server, new AtomicLong(n)));
        }

        /** A server whose companies are not started now: unreachable, or past its own failure threshold. */
        boolean held(String server) {
            return unreachable.containsKey(server) || work.strategy().serverStopped(failedOn(server));
        }

        long failedOn(String server) {
            AtomicLong n = failedByServer.get(server);
            return n == null ? 0 : n.get();
        }

        /** A company of a held server: waiting for it to answer, or not started because it failed too often. */
        void hold(TargetWork t) {
            String server = t.company().server();
            String why = unreachable.get(server);
            if (why != null) {
                waitFor(t, why);
            } else {
                report(new TargetUpdate(t.company().id(), TargetStatus.CANCELLED, 0, null, "not started: server '"
                        + server + "' passed maxFailuresPerServer (" + failedOn(server) + " failed)", null, false));
                pendingSteps.addAndGet(-t.plannedSteps());
                localPending.addAndGet(-t.plannedSteps());
            }
        }

        void waitFor(TargetWork t, String why) {
            waiting.add(t);
            report(new TargetUpdate(t.company().id(), TargetStatus.WAITING, 0, null, why, null, false));
        }

        /** One wave's (or the waiting) companies, under the fleet-wide and the per-server bound. */
        Uni<Void> dispatch(List<TargetWork> targets) {
            int maxParallel = work.strategy().maxParallel();
            // A lent slot's company keeps its connection: lend no more than the pool has beside the slots.
            int maxLent = Math.max(0, Math.min(maxParallel, poolSize - RolloutService.POOL_HEADROOM - maxParallel));
            return ServerDispatch.run(targets, t -> t.company().server(), maxParallel,
                    work.strategy().perServerParallel(), maxLent, this::runTarget, this::held, this::hold,
                    this::stopStarting);
        }

        /**
         * After the waves: while companies wait for servers that went away, try those servers every
         * {@code flotilla.rollout.server-retry} and run a server's companies once it answers; companies waiting for
         * table locks (onLockTimeout "wait") run again at the same pace, each run with its whole lock budget, until
         * their steps get their locks. Pause, cancel and shutdown end the wait; the companies stay waiting for the
         * resumed rollout.
         */
        Uni<Void> retryWaiting() {
            if (waiting.isEmpty() && lockWaiting.isEmpty() && windowWaiting.isEmpty() || stopStarting()) {
                return Uni.createFrom().voidItem();
            }
            if (!waitLogged) {
                waitLogged = true;
                Log.infof("Rollout %s: %d companies wait for server(s) %s, %d for table locks, %d for their maintenance"
                                + " window; trying again every %s", work.id(), waiting.size(), unreachable.keySet(),
                        lockWaiting.size(), windowWaiting.size(), config.rollout().serverRetry());
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(nextLook())
                    .flatMap(x -> Multi.createFrom().iterable(List.copyOf(unreachable.keySet()))
                            .onItem().transformToUniAndMerge(server -> servers.forWork(server)
                                    .flatMap(db -> db.pool().query("SELECT 1").execute())
                                    .map(ok -> server).onFailure().recoverWithNull())
                            .filter(java.util.Objects::nonNull).collect().asList())
                    .flatMap(back -> {
                        if (stopStarting()) {
                            return retryWaiting();
                        }
                        back.forEach(unreachable::remove);
                        List<TargetWork> again = new java.util.ArrayList<>(
                                waiting.stream().filter(t -> back.contains(t.company().server())).toList());
                        waiting.removeAll(again);
                        if (!back.isEmpty()) {
                            waitLogged = false;
                            Log.infof("Rollout %s: server(s) %s answer again; running their %d waiting companies",
                                    work.id(), back, again.size());
                        }
                        // Windows that have opened meanwhile: their companies run now (a held server holds them again).
                        Instant now = Instant.now();
                        List<TargetWork> opened = windowWaiting.stream().filter(t -> t.window().isOpen(now)).toList();
                        windowWaiting.removeAll(opened);
                        again.addAll(opened);
                        List<TargetWork> locked = List.copyOf(lockWaiting);
                        lockWaiting.removeAll(locked);
                        locked.stream().filter(t -> !held(t.company().server())).forEach(again::add);
                        locked.stream().filter(t -> held(t.company().server())).forEach(lockWaiting::add);
                        if (again.isEmpty()) {
                            return retryWaiting();
                        }
                        return dispatch(again).flatMap(y -> retryWaiting());
                    });
        }

        /**
         * How long the wait loop sleeps: {@code server-retry}, or less when a window opens or the deadline comes sooner
         * (so a company runs at its opening, not up to a retry later). Never longer: pause and cancel are looked at
         * after each sleep.
         */
        private Duration nextLook() {
            Instant now = Instant.now();
            Duration delay = config.rollout().serverRetry();
            for (TargetWork t : windowWaiting) {
                Duration untilOpen = Duration.between(now, t.window().nextOpening(now));
                delay = untilOpen.compareTo(delay) < 0 ? untilOpen : delay;
            }
            if (work.strategy().deadline() != null) {
                Duration untilDeadline = Duration.between(now, work.strategy().deadline().toInstant());
                delay = untilDeadline.compareTo(delay) < 0 ? untilDeadline : delay;
            }
            return delay.compareTo(MIN_LOOK) < 0 ? MIN_LOOK : delay;
        }

        boolean stopStarting() {
            return stopping || connectionLost || observed == RolloutState.PAUSED || observed == RolloutState.CANCELLED
                    || failed.get() > work.strategy().maxFailures() || canaryFailures.get() > 0
                    || work.strategy().pastDeadline(Instant.now());
        }

        Uni<Void> run() {
            Map<Integer, List<TargetWork>> waves = new TreeMap<>();
            work.targets().forEach(t -> waves.computeIfAbsent(t.wave(), w -> new java.util.ArrayList<>()).add(t));
            localPending.set(work.targets().stream().mapToLong(TargetWork::plannedSteps).sum());
            pendingSteps.addAndGet(localPending.get());
            boolean starting = work.state() == RolloutState.PENDING;
            if (starting) {
                Counter.builder("flotilla.rollouts.started").tag("direction", target.direction().value())
                        .register(metrics).increment();
            }
            Log.infof("Rollout %s: running %d companies in %d waves on %s", work.id(), work.targets().size(),
                    waves.size(), owner);
            executions.put(work.id(), this);
            // The first heartbeat commits running: started is reported once, by the replica that started it.
            Uni<Void> chain = heartbeat().invoke(this::startHeartbeat)
                    .invoke(x -> {
                        if (starting) {
                            events.rollout(EventType.ROLLOUT_STARTED, work.id(), null);
                        }
                    })
                    .flatMap(x -> lookup.possible(lock)).invoke(possible -> lookUp = possible)
                    .replaceWithVoid();
            for (var entry : waves.entrySet()) {
                int number = entry.getKey();
                List<TargetWork> targets = entry.getValue();
                chain = chain.flatMap(x -> {
                    if (stopStarting()) {
                        return Uni.createFrom().voidItem();
                    }
                    wave = number;
                    return dispatch(targets);
                });
            }
            chain = chain.flatMap(x -> retryWaiting());
            return chain.eventually(() -> {
                        executions.remove(work.id());
                        if (heartbeatTimer >= 0) {
                            vertx.cancelTimer(heartbeatTimer);
                        }
                        pendingSteps.addAndGet(-localPending.getAndSet(0)); // targets never started
                    })
                    .flatMap(x -> heartbeat().onFailure().recoverWithItem(observed))
                    .flatMap(x -> finish());
        }

        private Uni<RolloutState> heartbeat() {
            return flush().flatMap(x -> rollouts.heartbeat(lock, work.id(), owner, wave)).invoke(state -> observed = state);
        }

        private void startHeartbeat() {
            heartbeatTimer = vertx.setPeriodic(config.rollout().heartbeatInterval().toMillis(), t ->
                    heartbeat().subscribe().with(s -> { }, e -> {
                        // The lock lives on this session; without it another replica may take over: stop starting.
                        if (!outage.failed(e, "rollout " + work.id() + " lost its heartbeat and starts no more schemas")) {
                            Log.warnf("Rollout %s lost its heartbeat connection: %s", work.id(), e.getMessage());
                        }
                        connectionLost = true;
                    }));
        }

        private Uni<Void> runTarget(TargetWork t, LockPauses slot) {
            if (stopStarting()) {
                return Uni.createFrom().voidItem();
            }
            UUID companyId = t.company().id();
            if (t.window() != null && !t.window().isOpen(Instant.now())) {
                // Its turn came outside its window: it waits for the opening, the others go on.
                Instant opens = t.window().nextOpening(Instant.now());
                windowWaiting.add(t);
                report(new TargetUpdate(companyId, TargetStatus.WAITING, 0, null, WINDOW_REASON + opens
                        + " (window " + t.window() + ")", null, false));
                return Uni.createFrom().voidItem();
            }
            inFlight.incrementAndGet();
            if (!waitedForLocks.contains(companyId)) {
                report(new TargetUpdate(companyId, TargetStatus.RUNNING, 0, null, null, null, true));
            }
            // A company being moved waits for its move, then runs on the server it is on by then (read now: the
            // plan read the company before).
            return moves.whereabouts(companyId).flatMap(now -> {
                if (now != null && now.moveId() != null) {
                    lockWaiting.add(t);
                    waitedForLocks.add(companyId);
                    report(new TargetUpdate(companyId, TargetStatus.WAITING, 0, null, "moving to server '" + now.target()
                            + "' (move " + now.moveId() + "); runs on its new server once the move ends", null, false));
                    stillToDo(t);
                    return Uni.createFrom().<Void>voidItem();
                }
                io.flotilla.migration.MigrationTenant tenant = now == null || now.server().equals(t.company().server())
                        ? t.company() : new MoveTenant(t.company(), now.server());
                return migrate(t, tenant, slot);
            })
                    .onFailure().recoverWithUni(e -> {
                        // Home could not be asked: run it again later, as any home outage.
                        if (!outage.failed(e, "rollout " + work.id() + ": schema left pending, run again")) {
                            Log.warnf("Rollout %s: %s left pending: %s", work.id(), t.company().schemaName(),
                                    e.getMessage());
                        }
                        connectionLost = true;
                        report(new TargetUpdate(companyId, TargetStatus.PENDING, 0, null, null, null, false));
                        return Uni.createFrom().voidItem();
                    })
                    .eventually(() -> {
                        inFlight.decrementAndGet();
                        pendingSteps.addAndGet(-t.plannedSteps());
                        localPending.addAndGet(-t.plannedSteps());
                    });
        }

        private Uni<Void> migrate(TargetWork t, io.flotilla.migration.MigrationTenant tenant, LockPauses slot) {
            UUID companyId = t.company().id();
            // The look-up check was asked of home only; other servers' companies ask their own schema.
            boolean lookUpHere = lookUp || !TenantDatabase.HOME.equals(tenant.server());
            return migrator.migrate(tenant, catalog.catalog(), target, work.allowDrift(), work.id(), lookUpHere,
                            work.strategy().lockOverrides(), carryingOver(companyId, slot))
                    .map(result -> {
                        if (!result.succeeded() && result.failure().lockTimeout()) {
                            events.lockTimeout(work.id(), companyId, t.company().schemaName(), result.failure().version(),
                                    result.failure().error());
                        }
                        if (result.succeeded()) {
                            report(new TargetUpdate(companyId, TargetStatus.SUCCEEDED, result.steps(), null, null, null, false));
                        } else if (result.failure().lockTimeout() && work.strategy().waitsOnLockTimeout()) {
                            // Not failed: its step rolled back whole, and runs again once the others are done.
                            lockWaiting.add(t);
                            waitedForLocks.add(companyId);
                            report(new TargetUpdate(companyId, TargetStatus.WAITING, result.steps(),
                                    result.failure().version(), "waiting for locks (onLockTimeout wait): "
                                    + result.failure().error(), result.failure().sqlState(), false));
                            stillToDo(t);
                        } else {
                            failedTarget(t, result.steps(), result.failure().version(),
                                    "[" + result.failure().sqlState() + "] " + result.failure().error(), result.failure().sqlState());
                        }
                        return (Void) null;
                    })
                    .onFailure(SteppedAside.class).recoverWithUni(e -> {
                        // Rolled back, its slot given to the companies waiting to start; the dispatch runs it again
                        // after them.
                        SteppedAside aside = (SteppedAside) e;
                        asides.put(companyId, aside);
                        waitedForLocks.add(companyId);
                        report(new TargetUpdate(companyId, TargetStatus.WAITING, aside.stepsDone(), null,
                                "waiting for locks: " + aside.getMessage(), ApplyResult.LOCK_NOT_AVAILABLE, false));
                        stillToDo(t);
                        return Uni.createFrom().voidItem();
                    })
                    .onFailure(FlotillaException.class).recoverWithUni(e -> {
                        FlotillaException f = (FlotillaException) e;
                        if (f.code() == ErrorCode.SERVER_UNAVAILABLE) {
                            String server = t.company().server();
                            if (unreachable.putIfAbsent(server, f.getMessage()) == null) {
                                Log.warnf("Rollout %s: server %s went away (%s); its companies wait for it while the"
                                        + " other servers go on", work.id(), server, f.getMessage());
                            }
                            waitFor(t, f.getMessage());
                            stillToDo(t);
                            return Uni.createFrom().voidItem();
                        }
                        if (f.code() == ErrorCode.COMPANY_NOT_ACTIVE) {
                            report(new TargetUpdate(companyId, TargetStatus.SKIPPED, 0, null, f.getMessage(), null, false));
                        } else {
                            failedTarget(t, 0, null, f.code() + ": " + f.getMessage(), null);
                        }
                        return Uni.createFrom().voidItem();
                    })
                    .onFailure().recoverWithUni(e -> {
                        // Not the migration's fault (connection lost, server restarting): run it again later.
                        if (!outage.failed(e, "rollout " + work.id() + ": schema left pending, run again")) {
                            Log.warnf("Rollout %s: %s left pending: %s", work.id(), t.company().schemaName(),
                                    e.getMessage());
                        }
                        connectionLost = true;
                        report(new TargetUpdate(companyId, TargetStatus.PENDING, 0, null, null, null, false));
                        return Uni.createFrom().voidItem();
                    });
        }

        /** A company that will run again (waiting): counted pending again, as its run's end counts it done. */
        private void stillToDo(TargetWork t) {
            pendingSteps.addAndGet(t.plannedSteps());
            localPending.addAndGet(t.plannedSteps());
        }

        /** The dispatch's slot, with where the company's last run stepped aside, for its next step to carry on. */
        private LockPauses carryingOver(UUID companyId, LockPauses slot) {
            return new LockPauses() {
                @Override
                public boolean pausing() {
                    return slot.pausing();
                }

                @Override
                public Uni<Void> resuming() {
                    return slot.resuming();
                }

                @Override
                public boolean stepAside() {
                    return slot.stepAside();
                }

                @Override
                public SteppedAside carriedOver() {
                    return asides.remove(companyId);
                }
            };
        }

        private void failedTarget(TargetWork t, int steps, String version, String error, String sqlState) {
            failed.incrementAndGet();
            long onServer = failedByServer.computeIfAbsent(t.company().server(), s -> new AtomicLong()).incrementAndGet();
            if (work.strategy().serverStopped(onServer) && !work.strategy().serverStopped(onServer - 1)) {
                Log.warnf("Rollout %s: server %s passed maxFailuresPerServer (%d failed); it takes no more work in"
                        + " this rollout, the other servers go on", work.id(), t.company().server(), onServer);
            }
            if (work.strategy().hasCanary() && t.wave() == 0) {
                canaryFailures.incrementAndGet();
            }
            report(new TargetUpdate(t.company().id(), TargetStatus.FAILED, steps, version, error, sqlState, false));
            events.stepFailed(work.id(), t.company().id(), t.company().schemaName(), version, error);
        }

        /**
         * Companies' progress is written in batches with each heartbeat, not one statement per company: a
         * company's latest status wins, its steps add up. Lost in a crash, it costs a no-op re-run, nothing more.
         */
        private void report(TargetUpdate update) {
            if (update.status() != TargetStatus.PENDING && update.status() != TargetStatus.RUNNING
                    && update.status() != TargetStatus.WAITING) {
                ended.add(update.companyId());
            }
            synchronized (reports) {
                reports.merge(update.companyId(), update, (old, now) -> new TargetUpdate(now.companyId(), now.status(),
                        old.steps() + now.steps(), now.failedVersion(), now.error(), now.sqlState(),
                        old.started() || now.started()));
            }
        }

        /** On the lock's connection, like the heartbeat, so batches are written in the order they were taken. */
        private Uni<Void> flush() {
            List<TargetUpdate> batch;
            synchronized (reports) {
                batch = List.copyOf(reports.values());
                reports.clear();
            }
            return rollouts.targets(lock, work.id(), batch);
        }

        private Uni<Void> finish() {
            if (stopping || connectionLost) {
                // Leave it running: this or another replica resumes it at its next poll.
                return rollouts.release(lock, work.id()).onFailure().recoverWithNull();
            }
            if (observed == RolloutState.PAUSED) {
                Log.infof("Rollout %s paused", work.id());
                return rollouts.release(lock, work.id());
            }
            RolloutState outcome;
            String error = null;
            String unreachedReason = null;
            long unreached = work.targets().stream().filter(t -> !ended.contains(t.company().id())).count();
            boolean deadlinePassed = work.strategy().pastDeadline(Instant.now()) && unreached > 0;
            if (observed == RolloutState.CANCELLED) {
                outcome = RolloutState.CANCELLED;
            } else if (canaryFailures.get() > 0) {
                outcome = RolloutState.FAILED;
                error = "canary failed: " + canaryFailures.get() + " of the first wave's companies failed; the rest were not started";
            } else if (failed.get() > work.strategy().maxFailures()) {
                outcome = RolloutState.FAILED;
                error = "stopped after " + failed.get() + " failed companies (maxFailures " + work.strategy().maxFailures() + ")";
            } else if (deadlinePassed) {
                outcome = RolloutState.FAILED;
                unreachedReason = "not reached before the rollout's deadline " + work.strategy().deadline().toInstant();
                error = "deadline " + work.strategy().deadline().toInstant() + " passed: " + unreached
                        + " companies not reached were cancelled" + (failed.get() > 0 ? "; " + failed.get()
                        + " companies failed (within maxFailures " + work.strategy().maxFailures() + ")" : "");
                Log.infof("Rollout %s: its deadline passed with %d companies not reached", work.id(), unreached);
            } else if (failed.get() > 0) {
                outcome = RolloutState.FAILED;
                error = failed.get() + " companies failed (within maxFailures " + work.strategy().maxFailures() + ")";
            } else {
                outcome = RolloutState.SUCCEEDED;
            }
            Counter.builder("flotilla.rollouts.finished").tag("outcome", outcome.value())
                    .register(metrics).increment();
            Log.infof("Rollout %s %s%s", work.id(), outcome.value(), error == null ? "" : ": " + error);
            String why = error;
            return rollouts.close(lock, work.id(), outcome, error, unreachedReason).invoke(() -> {
                // Cancelled is reported where it is asked for (RolloutService.cancel), not again here.
                if (outcome != RolloutState.CANCELLED) {
                    events.rollout(outcome == RolloutState.SUCCEEDED ? EventType.ROLLOUT_SUCCEEDED
                            : EventType.ROLLOUT_FAILED, work.id(), why);
                }
            });
        }
    }
}
