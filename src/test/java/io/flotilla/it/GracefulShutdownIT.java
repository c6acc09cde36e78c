package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM mid-rollout (what Kubernetes does on a rolling update): the replica starts no new schema, lets the
 * in-flight ones finish within its grace period, exits, and leaves the rest to another replica.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GracefulShutdownIT extends ProcessTestSupport {

    private static final int COMPANIES = 200;

    @Test
    void aTerminatedReplicaFinishesItsInFlightSchemasAndHandsTheRestOver() throws Exception {
        ServiceProcess a = started("it-a", Map.of("FLOTILLA_ROLLOUT_SHUTDOWN_GRACE", "30s"));
        List<UUID> fleet = db.createFleet("it_g_", 1, COMPANIES);
        HttpResponse<String> created = a.post("/api/v1/rollouts", "{\"strategy\": {\"maxParallel\": 4}}");
        assertEquals(202, created.statusCode(), created.body() + logs().get());
        String id = ServiceProcess.json(created).path("id").asText();
        JsonNode before = Poll.until("20 succeeded targets on A", Duration.ofSeconds(90), () -> a.rollout(id),
                r -> RolloutJson.targets(r, "succeeded") >= 20 || RolloutJson.terminal(r),
                r -> RolloutJson.summary(r) + logs().get());
        assertFalse(RolloutJson.terminal(before), "finished before the SIGTERM: " + RolloutJson.summary(before));

        int exit = a.terminate(Duration.ofSeconds(45));
        assertNotEquals(-1, exit, "A did not stop within its grace period" + logs().get());
        // Nothing was cut half-way: no step of A is left running, no company of the rollout is marked running.
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'running'"), logs().get());
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND status = 'running'", id), logs().get());
        Map<String, Object> left = db.query("SELECT state, owner FROM public.rollouts WHERE id = ?::uuid", id).get(0);
        assertEquals("running", left.get("state"), "left for another replica, not ended: " + left);
        assertEquals(null, left.get("owner"), "A let go of it");
        long doneByA = db.queryLong("SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND status = 'succeeded'", id);
        assertTrue(doneByA < COMPANIES, "A should not have finished everything");
        assertTrue(a.logTail(200).contains("in-flight schemas finished"), a.logTail(40));

        ServiceProcess b = started("it-b", Map.of());
        Poll.until("B to finish the rollout", Duration.ofSeconds(120), () -> b.rollout(id),
                r -> RolloutJson.terminal(r), r -> RolloutJson.summary(r) + logs().get());
        assertEquals("succeeded", RolloutJson.state(b.rollout(id)), logs().get());
        FleetAssertions.assertFullyMigrated(db, fleet, logs());
        System.out.printf("[it] GracefulShutdownIT: A finished %d companies and exited %d; B did the other %d%n",
                doneByA, exit, COMPANIES - doneByA);
    }
}
