package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * PostgreSQL restarts under a running rollout (always a test-owned embedded server, never the machine's): the
 * service keeps running, reconnects, its poller takes the rollout again, and it finishes with every company ×
 * version applied exactly once and no ledger row left 'running'. Its log tells the outage in two lines (home away,
 * home back with what was retried), with no stack trace of the pool's connection timer (vertx-sql-client#1706).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PostgresRestartIT extends ProcessTestSupport {

    /** Small enough to finish in about a minute on a loaded 2-core machine, large enough to restart mid-rollout. */
    private static final int COMPANIES = 120;
    private static final String AWAY = "Home database (the control plane's) unreachable";
    private static final String BACK = "Home database reachable again";
    private static final int RESTART_AFTER = 20;

    @Override
    protected ItDatabase database() {
        return ItDatabase.restartable();
    }

    @Test
    void aRolloutSurvivesAPostgresRestart() throws Exception {
        ServiceProcess a = started("it-a", Map.of("FLOTILLA_ROLLOUT_POLL_INTERVAL", "300ms"));
        List<UUID> fleet = db.createFleet("it_x_", 1, COMPANIES);

        HttpResponse<String> created = a.post("/api/v1/rollouts",
                "{\"strategy\": {\"maxParallel\": 4, \"batchSize\": 50, \"canary\": 0, \"maxFailures\": 0}}");
        assertEquals(202, created.statusCode(), created.body() + logs().get());
        String id = ServiceProcess.json(created).path("id").asText();

        JsonNode before = Poll.until(RESTART_AFTER + " succeeded targets", Duration.ofSeconds(90), () -> a.rollout(id),
                r -> RolloutJson.targets(r, "succeeded") >= RESTART_AFTER || RolloutJson.terminal(r),
                r -> RolloutJson.summary(r) + logs().get());
        assertFalse(RolloutJson.terminal(before), "the rollout finished before PostgreSQL could be restarted: "
                + RolloutJson.summary(before));

        // Aim the stop at a moment when a non-transactional step (CREATE INDEX CONCURRENTLY) is in flight, so that a
        // ledger row is left 'running' by the crash.
        boolean midStep = db.awaitStepRunning(Duration.ofSeconds(3));
        long stoppingAt = System.nanoTime();
        db.restartServer(Duration.ofSeconds(2));
        long restartedAt = System.nanoTime();
        long doneBeforeStop = db.queryLong("SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND status = 'succeeded'", id);
        long runningRows = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'running'");
        Map<String, Object> afterRestart = db.query("SELECT state, owner FROM public.rollouts WHERE id = ?::uuid", id).get(0);
        System.out.printf("[it] PostgresRestartIT: PostgreSQL stopped %s, down for %d ms; after the restart: rollout %s (owner %s),"
                        + " %d targets succeeded (durable), %d ledger rows 'running'%n",
                midStep ? "while a version-7 step was running" : "(no non-transactional step seen running)",
                TimeUnit.NANOSECONDS.toMillis(restartedAt - stoppingAt), afterRestart.get("state"),
                afterRestart.get("owner"), doneBeforeStop, runningRows);
        assertTrue(a.alive(), "the service should survive a PostgreSQL restart" + logs().get());

        long[] progressAt = {0};
        JsonNode done = Poll.until("the rollout to finish after the PostgreSQL restart", Duration.ofSeconds(120), () -> {
            JsonNode r = a.rollout(id);
            if (progressAt[0] == 0 && RolloutJson.targets(r, "succeeded") > doneBeforeStop) {
                progressAt[0] = System.nanoTime();
            }
            return r;
        }, RolloutJson::terminal, r -> RolloutJson.summary(r) + "\nrollout row: " + db.query(
                "SELECT state, owner, heartbeat_at, now() AS now FROM public.rollouts WHERE id = ?::uuid", id)
                + "\ntargets: " + db.query("SELECT status, count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " GROUP BY 1", id) + logs().get());
        long finishedAt = System.nanoTime();
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        assertEquals(COMPANIES, RolloutJson.targets(done, "succeeded"), RolloutJson.summary(done));
        assertTrue(a.alive(), "the service should still run" + logs().get());

        FleetAssertions.assertFullyMigrated(db, fleet, logs());
        assertOutageToldOnce(Files.readString(a.logFile()));
        // Errors still become problems after the outage (the mapper now also knows lost connections).
        HttpResponse<String> missing = a.get("/api/v1/rollouts/" + UUID.randomUUID());
        assertEquals(404, missing.statusCode(), missing.body());
        long interrupted = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'failed'"
                + " AND error LIKE 'interrupted%'");
        long otherFailures = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE status = 'failed'"
                + " AND error NOT LIKE 'interrupted%'");
        System.out.printf("[it] PostgresRestartIT: progress resumed %s ms after the restart, rollout finished %d ms after"
                        + " it; interrupted ledger rows closed %d, other failed rows %d%n",
                progressAt[0] == 0 ? "?" : Long.toString(TimeUnit.NANOSECONDS.toMillis(progressAt[0] - restartedAt)),
                TimeUnit.NANOSECONDS.toMillis(finishedAt - restartedAt), interrupted, otherFailures);
    }

    /** One line when home went away, one when it was back (after it, saying what was retried), and no Vert.x noise. */
    private static void assertOutageToldOnce(String log) {
        assertFalse(log.contains("Result is already complete"), "the pool timer's double completion leaked:\n" + log);
        assertFalse(log.contains("Uncaught exception"), "an uncaught exception was logged:\n" + log);
        assertEquals(1, occurrences(log, AWAY), "one line when home went away:\n" + log);
        assertEquals(1, occurrences(log, BACK), "one line when home was back:\n" + log);
        String back = log.lines().filter(l -> l.contains(BACK)).findFirst().orElseThrow();
        assertTrue(log.indexOf(AWAY) < log.indexOf(BACK), log);
        assertTrue(back.contains(" INFO ") && back.contains("retried: ") && back.contains("rollout"), back);
        // From the rollout's start until home is back, the outage is that one line: no WARN or ERROR per failed query
        // or lost connection, and no stack trace (a held connection's socket failure was printed bare to stderr).
        List<String> window = log.substring(log.indexOf(": running " + COMPANIES + " companies"), log.indexOf(BACK))
                .lines().skip(1).toList();
        List<String> noise = new ArrayList<>();
        String header = "";
        for (String line : window) {
            boolean logged = line.matches("^\\d{4}-\\d{2}-\\d{2} .*");
            header = logged ? line : header;
            boolean ours = header.contains("[io.flotilla") || header.contains("[io.vertx") || header.contains("[io.quarkus");
            if (line.contains(AWAY)) {
                continue;
            }
            // A bare line under one of our headers (or printed without one) is a stack trace; a WARN/ERROR of ours is one
            // line per failure. Quartz's and Agroal's own reports of a failed check-in are theirs, not asserted here.
            if (!logged && (ours || header.isEmpty() || !header.contains(" ERROR ") && !header.contains(" WARN "))
                    || logged && ours && (line.contains(" WARN ") || line.contains(" ERROR "))) {
                noise.add(line);
            }
        }
        assertTrue(noise.isEmpty(), "logged while home was away:\n" + String.join("\n", noise));
        System.out.println("[it] PostgresRestartIT: the outage in the log:\n  "
                + log.lines().filter(l -> l.contains(AWAY) || l.contains(BACK)).reduce((x, y) -> x + "\n  " + y).orElseThrow());
    }

    private static long occurrences(String log, String text) {
        return log.lines().filter(l -> l.contains(text)).count();
    }
}
