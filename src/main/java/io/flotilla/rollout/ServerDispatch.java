package io.flotilla.rollout;

import io.flotilla.lock.LockPauses;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Starts one wave's companies with two bounds: at most {@code maxParallel} at once over the fleet and at most
 * {@code maxPerServer} on any one server, taking servers in turn so that a rollout over several servers keeps all of
 * them busy without overloading any. A company whose server is {@code held} (unreachable, or past its own failure
 * threshold) is handed to {@code hold} instead of being started; once {@code stop} says so, nothing more starts.
 * <p>
 * A started company may lend its slot while its step pauses between two lock attempts (see {@link LockPauses}): the
 * slot starts another company, and the lender takes the next free slot back before anything new starts. At most
 * {@code maxLent} are lent at once: a lender keeps its connection, so the pool must have room for them. Past that, a
 * company whose slot another could use steps aside ({@link LockPauses#stepAside}): it ends its start, and goes to the
 * back of its server's queue.
 *
 * @param <T> a company of the wave
 */
final class ServerDispatch<T> {

    private final Map<String, Deque<T>> queues = new LinkedHashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final List<String> order;
    private final int maxParallel;
    private final int maxPerServer;
    private final int maxLent;
    private final BiFunction<T, LockPauses, Uni<Void>> start;
    private final Predicate<String> held;
    private final Consumer<T> hold;
    private final BooleanSupplier stop;
    private final Function<T, String> serverOf;
    private final AtomicInteger wip = new AtomicInteger();
    private int inFlight;
    /** Slots lent by pausing companies, and the lenders waiting for one back (served before any new start). */
    private int lent;
    private final Deque<Reclaim> reclaiming = new ArrayDeque<>();
    private int next;
    private UniEmitter<? super Void> done;

    private ServerDispatch(List<T> targets, Function<T, String> serverOf, int maxParallel, int maxPerServer, int maxLent,
                           BiFunction<T, LockPauses, Uni<Void>> start, Predicate<String> held, Consumer<T> hold,
                           BooleanSupplier stop) {
        targets.forEach(t -> queues.computeIfAbsent(serverOf.apply(t), s -> new ArrayDeque<>()).add(t));
        this.order = new ArrayList<>(queues.keySet());
        this.serverOf = serverOf;
        this.maxParallel = Math.max(1, maxParallel);
        this.maxPerServer = Math.max(1, maxPerServer);
        this.maxLent = Math.max(0, maxLent);
        this.start = start;
        this.held = held;
        this.hold = hold;
        this.stop = stop;
    }

    /** Runs the targets; the Uni completes when every started one has ended and nothing more will start. */
    static <T> Uni<Void> run(List<T> targets, Function<T, String> serverOf, int maxParallel, int maxPerServer,
                             Function<T, Uni<Void>> start, Predicate<String> held, Consumer<T> hold,
                             BooleanSupplier stop) {
        return run(targets, serverOf, maxParallel, maxPerServer, 0, (t, slot) -> start.apply(t), held, hold, stop);
    }

    /**
     * {@link #run(List, Function, int, int, Function, Predicate, Consumer, BooleanSupplier)}, each start given its
     * slot, of which at most {@code maxLent} are lent at once.
     */
    static <T> Uni<Void> run(List<T> targets, Function<T, String> serverOf, int maxParallel, int maxPerServer,
                             int maxLent, BiFunction<T, LockPauses, Uni<Void>> start, Predicate<String> held, Consumer<T> hold,
                             BooleanSupplier stop) {
        ServerDispatch<T> dispatch = new ServerDispatch<>(targets, serverOf, maxParallel, maxPerServer, maxLent, start, held,
                hold, stop);
        return Uni.createFrom().emitter(emitter -> {
            synchronized (dispatch) {
                dispatch.done = emitter;
            }
            dispatch.pump();
        });
    }

    /**
     * Starts what the bounds allow; called at the start and whenever a company ends. A drain loop: a company that
     * ends while this runs (even synchronously, inside {@code start}) makes it go round again instead of recursing.
     */
    private void pump() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            List<T> toStart = new ArrayList<>();
            List<T> toHold = new ArrayList<>();
            List<UniEmitter<? super Void>> toResume = new ArrayList<>();
            synchronized (this) {
                // Companies in the middle of a step first, also once stopped: their step goes on.
                for (Iterator<Reclaim> it = reclaiming.iterator(); it.hasNext() && inFlight < maxParallel; ) {
                    Reclaim r = it.next();
                    if (running.getOrDefault(r.server(), 0) < maxPerServer) {
                        it.remove();
                        lent--;
                        inFlight++;
                        running.merge(r.server(), 1, Integer::sum);
                        toResume.add(r.emitter());
                    }
                }
                while (reclaiming.isEmpty() && inFlight < maxParallel && !stop.getAsBoolean()) {
                    String server = nextServer();
                    if (server == null) {
                        break;
                    }
                    T target = queues.get(server).poll();
                    if (held.test(server)) {
                        toHold.add(target);
                        continue;
                    }
                    inFlight++;
                    running.merge(server, 1, Integer::sum);
                    toStart.add(target);
                }
            }
            toHold.forEach(hold);
            toResume.forEach(e -> e.complete(null));
            for (T target : toStart) {
                Slot slot = new Slot(serverOf.apply(target), target);
                start.apply(target, slot).onFailure().recoverWithNull().subscribe().with(ok -> ended(slot));
            }
            boolean finished;
            synchronized (this) {
                finished = inFlight == 0 && lent == 0 && (stop.getAsBoolean() || allEmpty());
            }
            if (finished) {
                complete();
            }
        } while (wip.decrementAndGet() != 0);
    }

    /** A started company's slot, as its steps' lock pauses see it. */
    private final class Slot implements LockPauses {
        private final String server;
        private final T target;
        /** Its company stepped aside: queued again when its start ends. */
        private boolean aside;

        Slot(String server, T target) {
            this.server = server;
            this.target = target;
        }

        @Override
        public boolean stepAside() {
            synchronized (ServerDispatch.this) {
                aside = !stop.getAsBoolean() && anotherCouldStart(server);
                return aside;
            }
        }

        @Override
        public boolean pausing() {
            return lend(server);
        }

        @Override
        public Uni<Void> resuming() {
            return Uni.createFrom().emitter(emitter -> {
                synchronized (ServerDispatch.this) {
                    reclaiming.add(new Reclaim(server, emitter));
                }
                pump();
            });
        }
    }

    private record Reclaim(String server, UniEmitter<? super Void> emitter) {
    }

    /** Lends a pausing company's slot, unless {@code maxLent} are lent already (then it keeps it). */
    private boolean lend(String server) {
        synchronized (this) {
            if (lent >= maxLent) {
                return false;
            }
            lent++;
            inFlight--;
            running.merge(server, -1, Integer::sum);
        }
        pump();
        return true;
    }

    private void ended(Slot slot) {
        synchronized (this) {
            inFlight--;
            running.merge(slot.server, -1, Integer::sum);
            if (slot.aside) {
                queues.get(slot.server).addLast(slot.target);
            }
        }
        pump();
    }

    /**
     * Whether a company waits to start that the slot of a company of {@code server} could run: one of that server,
     * or of another server with room under its own bound (the fleet-wide bound being what holds it back); a held
     * server's companies are handed on, not run.
     */
    private boolean anotherCouldStart(String server) {
        for (Map.Entry<String, Deque<T>> queue : queues.entrySet()) {
            if (!queue.getValue().isEmpty() && !held.test(queue.getKey()) && (queue.getKey().equals(server)
                    || running.getOrDefault(queue.getKey(), 0) < maxPerServer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next server with a company waiting and room under its own bound, taking servers in turn; a held server
     * counts as having room, so its companies are handed on rather than left queued.
     */
    private String nextServer() {
        for (int i = 0; i < order.size(); i++) {
            String server = order.get((next + i) % order.size());
            if (!queues.get(server).isEmpty() && (held.test(server) || running.getOrDefault(server, 0) < maxPerServer)) {
                next = (next + i + 1) % order.size();
                return server;
            }
        }
        return null;
    }

    private boolean allEmpty() {
        return queues.values().stream().allMatch(Deque::isEmpty);
    }

    private void complete() {
        UniEmitter<? super Void> emitter;
        synchronized (this) {
            emitter = done;
            done = null;
        }
        if (emitter != null) {
            emitter.complete(null);
        }
    }
}
