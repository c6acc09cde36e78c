package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rollout survives the death of the process running it: process A is killed with SIGKILL half-way through a
 * 300-company rollout, process B takes it over (PostgreSQL freed A's advisory lock with its session) and finishes
 * it, and every company × version is applied exactly once.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KillAndResumeIT extends ProcessTestSupport {

    private static final int COMPANIES = 300;
    private static final int KILL_AFTER = 40;

    @Test
    void anotherProcessTakesOverAKilledProcessesRollout() throws Exception {
        ServiceProcess a = started("it-a", Map.of());
        List<UUID> fleet = db.createFleet("it_x_", 1, COMPANIES);

        HttpResponse<String> created = a.post("/api/v1/rollouts",
                "{\"strategy\": {\"maxParallel\": 4, \"batchSize\": 50, \"canary\": 0, \"maxFailures\": 0}}");
        assertEquals(202, created.statusCode(), created.body() + logs().get());
        String id = ServiceProcess.json(created).path("id").asText();
        long startedAt = System.nanoTime();

        JsonNode before = Poll.until(KILL_AFTER + " succeeded targets on A", Duration.ofSeconds(90), () -> a.rollout(id),
                r -> RolloutJson.targets(r, "succeeded") >= KILL_AFTER || RolloutJson.terminal(r),
                r -> RolloutJson.summary(r) + logs().get());
        assertFalse(RolloutJson.terminal(before), "the rollout finished before A could be killed: "
                + RolloutJson.summary(before));
        // Aim the kill at a moment when a non-transactional step (CREATE INDEX CONCURRENTLY) is in flight.
        boolean midStep = db.awaitStepRunning(Duration.ofSeconds(3));
        long msToKill = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);

        a.kill();
        long killedAt = System.nanoTime();

        Map<String, Object> afterKill = db.query("SELECT state, owner FROM public.rollouts WHERE id = ?::uuid", id).get(0);
        long targetsDoneByA = db.queryLong("SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND status = 'succeeded'", id);
        long companiesDoneByA = db.queryLong("SELECT count(*) FROM (SELECT company_id FROM public.migration_ledger"
                + " WHERE status = 'applied' AND executed_by = 'it-a' GROUP BY company_id HAVING count(*) = 7) x");
        long stepsByA = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'applied'"
                + " AND executed_by = 'it-a'");
        long runningRowsAtKill = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'running'");
        System.out.printf("[it] KillAndResumeIT: A killed %d ms after the rollout was created (%s); at the kill: rollout %s"
                        + " (owner %s), %d targets succeeded, %d companies fully migrated by A, %d steps applied by A,"
                        + " %d ledger rows left 'running'%n", msToKill,
                midStep ? "a version-7 step was running" : "no non-transactional step seen running", afterKill.get("state"), afterKill.get("owner"),
                targetsDoneByA, companiesDoneByA, stepsByA, runningRowsAtKill);
        assertTrue(List.of("pending", "running").contains(String.valueOf(afterKill.get("state"))),
                "the rollout should be unfinished when A dies: " + afterKill + logs().get());
        assertTrue(targetsDoneByA < COMPANIES, "A finished everything before it died" + logs().get());

        ServiceProcess b = started("it-b", Map.of());
        long readyAt = System.nanoTime();

        long[] takenOverAt = {0};
        JsonNode done = Poll.until("the rollout to finish on B", Duration.ofSeconds(90), () -> {
            JsonNode r = b.rollout(id);
            String owner = RolloutJson.owner(r);
            if (takenOverAt[0] == 0 && owner != null && owner.startsWith("it-b/")) {
                takenOverAt[0] = System.nanoTime();
            }
            return r;
        }, RolloutJson::terminal, r -> RolloutJson.summary(r) + logs().get());
        long finishedAt = System.nanoTime();
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        assertEquals(COMPANIES, RolloutJson.targets(done, "succeeded"), RolloutJson.summary(done));

        FleetAssertions.assertFullyMigrated(db, fleet, logs());
        List<String> executors = db.column("SELECT DISTINCT executed_by FROM public.migration_ledger"
                + " WHERE status = 'applied' ORDER BY 1", String.class);
        assertTrue(executors.containsAll(List.of("it-a", "it-b")), "executed_by should name both A and B: " + executors);
        long finalStepsByA = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'applied'"
                + " AND executed_by = 'it-a'");
        long stepsByB = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'applied'"
                + " AND executed_by = 'it-b'");
        long interrupted = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'failed'"
                + " AND error LIKE 'interrupted%'");
        System.out.printf("[it] KillAndResumeIT: B ready %d ms after the kill, owned the rollout %s ms after ready,"
                        + " finished it %d ms after the kill; steps applied by A %d, by B %d; interrupted rows closed %d%n",
                TimeUnit.NANOSECONDS.toMillis(readyAt - killedAt),
                takenOverAt[0] == 0 ? "?" : Long.toString(TimeUnit.NANOSECONDS.toMillis(takenOverAt[0] - readyAt)),
                TimeUnit.NANOSECONDS.toMillis(finishedAt - killedAt), finalStepsByA, stepsByB, interrupted);
        assertEquals((long) COMPANIES * FleetAssertions.VERSIONS, finalStepsByA + stepsByB);
    }
}
