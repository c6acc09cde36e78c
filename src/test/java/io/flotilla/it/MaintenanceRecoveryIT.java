package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A maintenance run survives the death of the replica running it: process A is killed with SIGKILL a few companies
 * into a slow custom job, process B's Quartz (clustered JDBC store) notices A's stale check-in, recovers the
 * firing (the job requests recovery), and MaintenanceService carries the same run on: every company gets exactly
 * one step, A's and B's shares add up, and the run ends {@code succeeded} with B as its executor.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MaintenanceRecoveryIT extends ProcessTestSupport {

    private static final String JOB = "slow-touch";
    private static final int COMPANIES = 24;
    private static final int KILL_AFTER = 3;

    @TempDir
    Path tmp;

    @Test
    void anotherReplicaRecoversAKilledReplicasMaintenanceRun() throws Exception {
        Map<String, String> env = Map.of(
                "MIGRATIONS_DIR", migrationsDir().toString(),
                "FLOTILLA_MAINTENANCE_PARALLELISM", "1");

        ServiceProcess a = started("it-a", env);
        List<UUID> fleet = db.createFleet("it_m_", 1, COMPANIES);

        HttpResponse<String> created = a.post("/api/v1/maintenance/jobs/" + JOB + "/run", null);
        assertEquals(202, created.statusCode(), created.body() + logs().get());
        JsonNode createdRun = ServiceProcess.json(created);
        assertEquals("pending", createdRun.path("state").asText(), created.body());
        String id = createdRun.path("id").asText();
        long requestedAt = System.nanoTime();

        JsonNode before = Poll.until(KILL_AFTER + " succeeded steps on A", Duration.ofSeconds(90), () -> run(a, id),
                r -> succeededSteps(r) >= KILL_AFTER || terminal(r), r -> summary(r) + logs().get());
        assertFalse(terminal(before), "the run finished before A could be killed: " + summary(before));
        assertEquals("it-a", before.path("executedBy").asText(), summary(before));

        a.kill();
        long killedAt = System.nanoTime();
        // The database's clock right after the kill (text, so it round-trips exactly): A's steps started before it.
        String killedAtDb = db.column("SELECT now()::text", String.class).get(0);
        long stepsByA = db.queryLong("SELECT count(*) FROM public.maintenance_steps WHERE run_id = ?::uuid", id);
        Map<String, Object> atKill = db.query("SELECT state, executed_by FROM public.maintenance_runs WHERE id = ?::uuid", id).get(0);
        long firedAtKill = db.queryLong("SELECT count(*) FROM qrtz_fired_triggers WHERE job_name = ?", JOB);
        System.out.printf("[it] MaintenanceRecoveryIT: A killed %d ms after the run was requested; at the kill: run %s"
                        + " (executed_by %s), %d steps recorded, %d Quartz fired-trigger rows for %s%n",
                TimeUnit.NANOSECONDS.toMillis(killedAt - requestedAt), atKill.get("state"), atKill.get("executed_by"),
                stepsByA, firedAtKill, JOB);
        System.out.printf("[it] MaintenanceRecoveryIT: database clock at the kill: %s%n", killedAtDb);
        assertEquals("running", atKill.get("state"), "the run should be unfinished when A dies: " + atKill + logs().get());
        assertTrue(stepsByA < COMPANIES, "A did every company before it died" + logs().get());

        ServiceProcess b = started("it-b", env);
        long readyAt = System.nanoTime();

        long[] recoveredAt = {0};
        JsonNode done = Poll.until("the run to be recovered and finished on B", Duration.ofSeconds(150), () -> {
            JsonNode r = run(b, id);
            if (recoveredAt[0] == 0 && "it-b".equals(r.path("executedBy").asText())) {
                recoveredAt[0] = System.nanoTime();
            }
            return r;
        }, MaintenanceRecoveryIT::terminal, r -> summary(r) + dbSummary(id) + logs().get());
        long finishedAt = System.nanoTime();
        if (recoveredAt[0] == 0) {
            recoveredAt[0] = finishedAt;
        }

        long stepsTotal = db.queryLong("SELECT count(*) FROM public.maintenance_steps WHERE run_id = ?::uuid", id);
        long stepsAfterKill = db.queryLong("SELECT count(*) FROM public.maintenance_steps WHERE run_id = ?::uuid"
                + " AND started_at > ?::timestamptz", id, killedAtDb);
        long stepsBeforeKill = db.queryLong("SELECT count(*) FROM public.maintenance_steps WHERE run_id = ?::uuid"
                + " AND started_at < ?::timestamptz", id, killedAtDb);
        System.out.printf("[it] MaintenanceRecoveryIT: B ready %d ms after the kill; B took the run over %d ms after the"
                        + " kill (%d ms after ready); the run finished %d ms after the kill (%d ms after the takeover);"
                        + " steps: %d in all, %d started before the kill (A), %d after (B)%n",
                TimeUnit.NANOSECONDS.toMillis(readyAt - killedAt), TimeUnit.NANOSECONDS.toMillis(recoveredAt[0] - killedAt),
                TimeUnit.NANOSECONDS.toMillis(recoveredAt[0] - readyAt), TimeUnit.NANOSECONDS.toMillis(finishedAt - killedAt),
                TimeUnit.NANOSECONDS.toMillis(finishedAt - recoveredAt[0]), stepsTotal, stepsBeforeKill, stepsAfterKill);

        assertEquals("succeeded", done.path("state").asText(), summary(done) + dbSummary(id) + logs().get());

        // Exactly one step per company of the fleet, all succeeded: nothing redone, nothing skipped.
        List<String> duplicates = db.column("SELECT company_id::text FROM public.maintenance_steps WHERE run_id = ?::uuid"
                + " GROUP BY company_id HAVING count(*) > 1", String.class, id);
        assertTrue(duplicates.isEmpty(), "companies with more than one step in the run: " + duplicates + dbSummary(id));
        assertEquals(COMPANIES, stepsTotal, dbSummary(id));
        long fleetSteps = db.queryLong("SELECT count(DISTINCT company_id) FROM public.maintenance_steps"
                + " WHERE run_id = ?::uuid AND company_id = ANY(?)", id, fleet.toArray(UUID[]::new));
        assertEquals(COMPANIES, fleetSteps, "every company of the fleet should have its step" + dbSummary(id));
        long notSucceeded = db.queryLong("SELECT count(*) FROM public.maintenance_steps WHERE run_id = ?::uuid"
                + " AND status <> 'succeeded'", id);
        assertEquals(0, notSucceeded, dbSummary(id));

        // The split: A did some before it died, B did the rest.
        assertTrue(stepsBeforeKill >= KILL_AFTER, "A's steps should have started before the kill" + dbSummary(id));
        assertTrue(stepsAfterKill >= 1, "B should have done the rest after the kill" + dbSummary(id));
        assertEquals(COMPANIES, stepsBeforeKill + stepsAfterKill, dbSummary(id));

        // The run row: B's name, counts consistent with the steps.
        Map<String, Object> row = db.query("SELECT state, companies, succeeded, failed, executed_by, error"
                + " FROM public.maintenance_runs WHERE id = ?::uuid", id).get(0);
        assertEquals("it-b", row.get("executed_by"), "the run's executor should be B: " + row);
        assertEquals(COMPANIES, ((Number) row.get("succeeded")).intValue(), "succeeded: " + row);
        assertEquals(0, ((Number) row.get("failed")).intValue(), "failed: " + row);
        assertEquals(COMPANIES, ((Number) row.get("companies")).intValue(),
                "the run's companies should count the whole fleet, as its succeeded does: " + row + dbSummary(id));
        assertEquals(null, row.get("error"), "error: " + row);
        assertEquals(COMPANIES, done.path("steps").size(), summary(done));
    }

    /** A copy of the sample migrations (top-level *.sql) plus the slow custom job. */
    private Path migrationsDir() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("migrations"));
        int copied = 0;
        try (Stream<Path> files = Files.list(Path.of("migrations"))) {
            for (Path f : files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".sql")).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
                copied++;
            }
        }
        assertEquals(14, copied, "sample migrations copied");
        Path maintenance = Files.createDirectories(dir.resolve("maintenance"));
        Files.writeString(maintenance.resolve(JOB + ".sql"), """
                -- Slow job for the recovery test.
                -- flotilla:cron 0 0 3 1 1 ? 2099
                SELECT pg_sleep(1);
                """, StandardCharsets.UTF_8);
        return dir;
    }

    private static JsonNode run(ServiceProcess p, String id) throws IOException, InterruptedException {
        p.assertAlive();
        HttpResponse<String> response = p.get("/api/v1/maintenance/runs/" + id);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET run " + id + " on " + p.name() + ": " + response.statusCode() + " "
                    + response.body());
        }
        return ServiceProcess.json(response);
    }

    private static long succeededSteps(JsonNode run) {
        long n = 0;
        for (JsonNode step : run.path("steps")) {
            if ("succeeded".equals(step.path("status").asText())) {
                n++;
            }
        }
        return n;
    }

    private static boolean terminal(JsonNode run) {
        String state = run.path("state").asText();
        return state.equals("succeeded") || state.equals("failed");
    }

    private static String summary(JsonNode run) {
        if (run == null) {
            return "(no run)";
        }
        return "run " + run.path("id").asText() + ": state " + run.path("state").asText() + ", companies "
                + run.path("companies").asText() + ", succeeded " + run.path("succeeded").asText() + ", failed "
                + run.path("failed").asText() + ", executedBy " + run.path("executedBy").asText() + ", error "
                + run.path("error").asText() + ", steps " + run.path("steps").size() + " (" + succeededSteps(run)
                + " succeeded)";
    }

    private String dbSummary(String id) {
        try {
            return "\nmaintenance_runs: " + db.query("SELECT * FROM public.maintenance_runs WHERE id = ?::uuid", id)
                    + "\nsteps per status: " + db.query("SELECT status, count(*) FROM public.maintenance_steps"
                    + " WHERE run_id = ?::uuid GROUP BY status", id)
                    + "\nqrtz_fired_triggers: " + db.query("SELECT instance_name, trigger_name, trigger_group, job_name,"
                    + " state, requests_recovery FROM qrtz_fired_triggers")
                    + "\nqrtz_scheduler_state: " + db.query("SELECT * FROM qrtz_scheduler_state")
                    + "\nqrtz_triggers: " + db.query("SELECT trigger_name, trigger_group, job_name, trigger_state"
                    + " FROM qrtz_triggers");
        } catch (RuntimeException e) {
            return "\n(db summary failed: " + e.getMessage() + ")";
        }
    }
}
