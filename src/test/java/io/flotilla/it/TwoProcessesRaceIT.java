package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two service processes on one database race each other: for the same rollout (exactly one is accepted, and it
 * runs once), and for the same companies' migrations (the per-schema advisory lock makes every step run once).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TwoProcessesRaceIT extends ProcessTestSupport {

    private static final int FLEET = 150;
    private static final int LATE_COMPANIES = 40;
    private static final int THREADS_PER_PROCESS = 8;

    @Test
    void twoProcessesRaceForRolloutsAndForCompanies() throws Exception {
        ServiceProcess a = started("it-a", Map.of());
        // B after A is ready: two processes running Flyway on an empty database at once is not what is tested here.
        ServiceProcess b = started("it-b", Map.of());

        // (a) the same rollout requested from both processes at the same instant
        List<UUID> fleet = db.createFleet("it_x_", 1, FLEET);
        String body = "{\"strategy\": {\"maxParallel\": 4, \"batchSize\": 50, \"canary\": 0, \"maxFailures\": 0}}";
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<HttpResponse<String>> responses;
        try {
            Future<HttpResponse<String>> fromA = pool.submit(() -> {
                go.await();
                return a.post("/api/v1/rollouts", body);
            });
            Future<HttpResponse<String>> fromB = pool.submit(() -> {
                go.await();
                return b.post("/api/v1/rollouts", body);
            });
            go.countDown();
            responses = List.of(fromA.get(60, TimeUnit.SECONDS), fromB.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        String seen = "A: " + responses.get(0).statusCode() + " " + responses.get(0).body() + "\nB: "
                + responses.get(1).statusCode() + " " + responses.get(1).body();
        System.out.println("[it] TwoProcessesRaceIT (a) simultaneous POST /api/v1/rollouts:\n" + seen);
        List<Integer> statuses = new ArrayList<>(List.of(responses.get(0).statusCode(), responses.get(1).statusCode()));
        Collections.sort(statuses);
        assertEquals(List.of(202, 409), statuses, "exactly one rollout accepted, the other refused\n" + seen + logs().get());
        HttpResponse<String> accepted = responses.get(0).statusCode() == 202 ? responses.get(0) : responses.get(1);
        HttpResponse<String> refused = responses.get(0).statusCode() == 202 ? responses.get(1) : responses.get(0);
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                "409 as a problem: " + refused.headers().map());
        String id = ServiceProcess.json(accepted).path("id").asText();
        assertEquals(1, db.queryLong("SELECT count(*) FROM public.rollouts"), "rollouts stored" + logs().get());

        JsonNode done = Poll.until("the accepted rollout to finish", Duration.ofSeconds(90), () -> a.rollout(id),
                RolloutJson::terminal, r -> RolloutJson.summary(r) + logs().get());
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        assertEquals(FLEET, RolloutJson.targets(done, "succeeded"), RolloutJson.summary(done));
        FleetAssertions.assertFullyMigrated(db, fleet, logs());
        List<String> runBy = db.column("SELECT DISTINCT executed_by FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " ORDER BY 1", String.class, id);
        System.out.printf("[it] TwoProcessesRaceIT (a): rollout %s run by %s%n", id, runBy);
        assertEquals(1, runBy.size(), "one process owns the rollout from start to end: " + runBy + logs().get());

        // (b) both processes migrate the same fresh companies at once, 8 threads each, in the same order
        List<UUID> late = db.createFleet("it_late_", 1, LATE_COMPANIES);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger appliedTotal = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        Map<String, AtomicInteger> appliedBy = Map.of("it-a", new AtomicInteger(), "it-b", new AtomicInteger());
        ExecutorService workers = Executors.newFixedThreadPool(2 * THREADS_PER_PROCESS);
        long began;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (ServiceProcess p : List.of(a, b)) {
                ConcurrentLinkedQueue<UUID> queue = new ConcurrentLinkedQueue<>(late);
                for (int t = 0; t < THREADS_PER_PROCESS; t++) {
                    futures.add(workers.submit(() -> {
                        start.await();
                        UUID company;
                        while ((company = queue.poll()) != null) {
                            HttpResponse<String> r = p.post("/api/v1/companies/" + company + "/migrate", null);
                            calls.incrementAndGet();
                            if (r.statusCode() != 200) {
                                problems.add(p.name() + " " + company + ": " + r.statusCode() + " " + r.body());
                                continue;
                            }
                            int applied = ServiceProcess.json(r).path("applied").size();
                            appliedTotal.addAndGet(applied);
                            appliedBy.get(p.name()).addAndGet(applied);
                        }
                        return null;
                    }));
                }
            }
            began = System.nanoTime();
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        System.out.printf("[it] TwoProcessesRaceIT (b): %d migrate calls in %d ms; steps applied by A %d, by B %d%n",
                calls.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), appliedBy.get("it-a").get(),
                appliedBy.get("it-b").get());
        assertTrue(problems.isEmpty(), "every migrate call should answer 200: " + problems + logs().get());
        assertEquals(2 * LATE_COMPANIES, calls.get(), "calls made");
        assertEquals(LATE_COMPANIES * FleetAssertions.VERSIONS, appliedTotal.get(),
                "versions reported applied over all responses" + logs().get());
        FleetAssertions.assertFullyMigrated(db, late, logs());
    }

    /**
     * A rollout scheduled through A, which is then killed before its instant: B's Quartz (same clustered store)
     * starts it, once.
     */
    @Test
    void aScheduledRolloutStartsOnceOnTheReplicaLeftWhenTheOtherDies() throws Exception {
        ServiceProcess a = started("it-sched-a", Map.of());
        ServiceProcess b = started("it-sched-b", Map.of());
        List<UUID> fleet = db.createFleet("it_sched_", 1, 5);
        String startAt = java.time.OffsetDateTime.now().plusSeconds(8).toString();
        HttpResponse<String> created = a.post("/api/v1/rollouts", "{\"startAt\": \"" + startAt + "\"}");
        assertEquals(202, created.statusCode(), created.body());
        assertEquals("scheduled", ServiceProcess.json(created).path("state").asText(), created.body());
        String id = ServiceProcess.json(created).path("id").asText();
        a.kill();

        JsonNode done = Poll.until("the scheduled rollout to run on B", Duration.ofSeconds(90), () -> b.rollout(id),
                RolloutJson::terminal, r -> RolloutJson.summary(r) + logs().get());
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        assertTrue(java.time.OffsetDateTime.parse(done.path("startedAt").asText())
                .isAfter(java.time.OffsetDateTime.parse(startAt).minusSeconds(1)), RolloutJson.summary(done));
        FleetAssertions.assertFullyMigrated(db, fleet, logs());
        assertEquals(1, db.queryLong("SELECT count(*) FROM public.rollouts"), "one rollout" + logs().get());
        String log = b.logTail(2000);
        assertEquals(1, log.lines().filter(l -> l.contains("Scheduled rollout " + id + " started")).count(),
                "started once, by B" + logs().get());
    }
}
