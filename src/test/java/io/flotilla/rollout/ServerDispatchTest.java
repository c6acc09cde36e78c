package io.flotilla.rollout;

import io.flotilla.lock.LockPauses;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerDispatchTest {

    record T(String server, int n) {
    }

    private static List<T> fleet(Map<String, Integer> perServer) {
        List<T> targets = new ArrayList<>();
        perServer.forEach((server, count) -> {
            for (int i = 0; i < count; i++) {
                targets.add(new T(server, i));
            }
        });
        return targets;
    }

    private static Set<String> servers(List<T> targets) {
        Set<String> servers = new java.util.TreeSet<>();
        targets.forEach(t -> servers.add(t.server()));
        return servers;
    }

    /** Starts complete only when the test says so, so the bounds can be watched while work is in flight. */
    private static final class Manual {
        final List<Runnable> pending = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> now = new ConcurrentHashMap<>();
        final Map<String, Integer> peak = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger peakTotal = new AtomicInteger();
        final List<T> started = new CopyOnWriteArrayList<>();

        Uni<Void> start(T t) {
            return Uni.createFrom().emitter(e -> {
                started.add(t);
                int n = now.computeIfAbsent(t.server(), s -> new AtomicInteger()).incrementAndGet();
                peak.merge(t.server(), n, Math::max);
                peakTotal.accumulateAndGet(total.incrementAndGet(), Math::max);
                pending.add(() -> {
                    now.get(t.server()).decrementAndGet();
                    total.decrementAndGet();
                    e.complete(null);
                });
            });
        }

        /** Ends the oldest running start; false when none runs. */
        boolean endOne() {
            if (pending.isEmpty()) {
                return false;
            }
            pending.remove(0).run();
            return true;
        }
    }

    @Test
    void keepsBothBoundsAndRunsEveryServerAtOnce() {
        Manual work = new Manual();
        List<T> targets = fleet(Map.of("a", 10, "b", 10, "c", 3));
        AtomicBoolean done = new AtomicBoolean();
        ServerDispatch.run(targets, T::server, 5, 2, work::start, s -> false, t -> { }, () -> false)
                .subscribe().with(ok -> done.set(true));
        // All three servers get work in the first round, none more than 2.
        assertEquals(5, work.started.size());
        assertEquals(Set.of("a", "b", "c"), servers(work.started));
        while (!work.pending.isEmpty()) {
            assertFalse(done.get(), "not done while work runs");
            work.endOne();
        }
        assertTrue(done.get());
        assertEquals(23, Set.copyOf(work.started).size());
        assertEquals(23, work.started.size());
        assertEquals(5, work.peakTotal.get());
        assertEquals(Map.of("a", 2, "b", 2, "c", 2), work.peak);
    }

    @Test
    void aHeldServersCompaniesAreHandedOnNotStarted() {
        Manual work = new Manual();
        List<T> targets = fleet(Map.of("a", 4, "down", 3));
        List<T> held = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        ServerDispatch.run(targets, T::server, 4, 4, work::start, "down"::equals, held::add, () -> false)
                .subscribe().with(ok -> done.set(true));
        while (work.endOne()) {
            // drain
        }
        assertTrue(done.get());
        assertEquals(3, held.size());
        assertEquals(Set.of("down"), servers(held));
        assertEquals(4, work.started.size());
        assertEquals(Set.of("a"), servers(work.started));
    }

    @Test
    void aServerHeldMidWaveStopsTakingWorkWhileTheOthersGoOn() {
        Manual work = new Manual();
        List<T> targets = fleet(Map.of("a", 6, "b", 6));
        Set<String> heldServers = ConcurrentHashMap.newKeySet();
        List<T> held = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        ServerDispatch.run(targets, T::server, 2, 1, work::start, heldServers::contains, held::add, () -> false)
                .subscribe().with(ok -> done.set(true));
        heldServers.add("b"); // e.g. b passed maxFailuresPerServer
        while (work.endOne()) {
            // drain
        }
        assertTrue(done.get());
        Map<String, Integer> started = new HashMap<>();
        work.started.forEach(t -> started.merge(t.server(), 1, Integer::sum));
        assertEquals(Map.of("a", 6, "b", 1), started);
        assertEquals(5, held.size());
        assertEquals(Set.of("b"), servers(held));
    }

    @Test
    void stopStartsNothingMoreAndCompletesWhenTheRunningEnd() {
        Manual work = new Manual();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        ServerDispatch.run(fleet(Map.of("a", 10)), T::server, 3, 3, work::start, s -> false, t -> { }, stop::get)
                .subscribe().with(ok -> done.set(true));
        stop.set(true);
        while (work.endOne()) {
            // drain
        }
        assertTrue(done.get());
        assertEquals(3, work.started.size());
    }

    @Test
    void synchronousStartsOnAFleetDoNotRecurse() {
        List<T> targets = fleet(Map.of("a", 20_000, "b", 20_000));
        AtomicInteger ran = new AtomicInteger();
        Uni<Void> all = ServerDispatch.run(targets, T::server, 8, 4, t -> {
            ran.incrementAndGet();
            return Uni.createFrom().voidItem();
        }, s -> false, t -> { }, () -> false);
        all.await().atMost(Duration.ofSeconds(30));
        assertEquals(40_000, ran.get());
    }

    @Test
    void anEmptyWaveCompletes() {
        ServerDispatch.run(List.<T>of(), T::server, 4, 4, t -> Uni.createFrom().voidItem(), s -> false, t -> { },
                () -> false).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aPausingCompanyLendsItsSlotAndTakesTheNextOneBackBeforeAnythingNewStarts() {
        Manual work = new Manual();
        Map<T, LockPauses> slots = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        List<T> targets = fleet(Map.of("a", 4));
        ServerDispatch.run(targets, T::server, 1, 1, 1, (T t, LockPauses slot) -> {
            slots.put(t, slot);
            return work.start(t);
        }, s -> false, t -> { }, () -> false).subscribe().with(ok -> done.set(true));
        T first = targets.get(0);
        assertEquals(List.of(first), work.started);

        // The first company's step pauses for locks: its slot starts the second.
        assertTrue(slots.get(first).pausing());
        assertEquals(2, work.started.size());
        // At most maxLent (1) lent at once: the second keeps its slot through its own pause.
        assertFalse(slots.get(targets.get(1)).pausing());

        // The first wants its slot back: it gets the next free one, before the third company starts.
        AtomicBoolean resumed = new AtomicBoolean();
        slots.get(first).resuming().subscribe().with(ok -> resumed.set(true));
        assertFalse(resumed.get(), "no free slot while the second runs");
        work.pending.remove(1).run(); // the second ends
        assertTrue(resumed.get());
        assertEquals(2, work.started.size(), "nothing new started while the first had no slot");

        while (work.endOne()) {
            assertFalse(done.get() && !work.pending.isEmpty());
        }
        assertTrue(done.get());
        assertEquals(4, work.started.size());
    }

    @Test
    void aCompanyThatCannotLendStepsAsideToTheBackOfItsQueueWhileOthersWait() {
        Manual work = new Manual();
        Map<T, LockPauses> slots = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        List<T> targets = fleet(Map.of("a", 3));
        ServerDispatch.run(targets, T::server, 1, 1, 0, (T t, LockPauses slot) -> {
            slots.put(t, slot);
            return work.start(t);
        }, s -> false, t -> { }, () -> false).subscribe().with(ok -> done.set(true));
        T first = targets.get(0);
        // Nothing can be lent (maxLent 0), two wait to start: the first steps aside and its start ends.
        assertFalse(slots.get(first).pausing());
        assertTrue(slots.get(first).stepAside());
        work.pending.remove(0).run();
        assertEquals(List.of(first, targets.get(1)), work.started, "its slot went to the next in line");
        work.endOne();
        assertEquals(targets.get(2), work.started.get(2));
        // Alone in the queue behind the third: then started again, and with no one left to wait, it stays.
        work.endOne();
        assertEquals(first, work.started.get(3), "queued again at the back, started after the others");
        assertFalse(slots.get(first).stepAside(), "no one waits: stepping aside would gain nothing");
        assertFalse(done.get());
        work.endOne();
        assertTrue(done.get());
        assertEquals(4, work.started.size());
    }
}
