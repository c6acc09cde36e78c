package io.flotilla.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service on a migration directory holding statements that are not a tenant's business (issue 19): it
 * refuses to start, naming each file, line and why, and nothing of them ran on its server (no role, no table), as
 * with any other invalid catalog. A custom maintenance job is held to the same rules.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CatalogRefusalIT extends ProcessTestSupport {

    @Test
    void aCatalogThatCreatesARoleOrCommitsHalfAStepStopsTheServiceBeforeAnythingRuns() throws Exception {
        String role = "flotilla_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path dir = Files.createTempDirectory("flotilla-refused");
        Files.writeString(dir.resolve("001_ok.sql"), "CREATE TABLE ok (id int);\n", UTF_8);
        Files.writeString(dir.resolve("002_role.sql"), "-- A role for the app.\nCREATE ROLE " + role + ";\n", UTF_8);
        Files.writeString(dir.resolve("003_half.sql"),
                "CREATE TABLE half_a (id int); COMMIT; CREATE TABLE half_b (id int); SELECT 1/0;\n", UTF_8);

        String log = refusedToStart("it-refused", Map.of("MIGRATIONS_DIR", dir.toString()));

        assertTrue(log.contains("002_role.sql line 2: CREATE ROLE " + role + " — creates a role"), log);
        assertTrue(log.contains("003_half.sql line 1 holds COMMIT between its first and last statements"), log);
        assertNothingRan(role);
    }

    @Test
    void aMaintenanceJobThatCreatesARoleStopsTheServiceToo() throws Exception {
        String role = "flotilla_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path dir = Files.createTempDirectory("flotilla-refused-job");
        Files.writeString(dir.resolve("001_ok.sql"), "CREATE TABLE ok (id int);\n", UTF_8);
        Path jobs = Files.createDirectories(dir.resolve("maintenance"));
        Files.writeString(jobs.resolve("make-role.sql"), "-- Makes a role, nightly.\n-- flotilla:cron 0 0 1 * * ?\n"
                + "CREATE ROLE " + role + ";\n", UTF_8);

        String log = refusedToStart("it-refused-job", Map.of("MIGRATIONS_DIR", dir.toString()));

        assertTrue(log.contains("Maintenance jobs are invalid: make-role.sql line 3: CREATE ROLE " + role), log);
        assertNothingRan(role);
    }

    private String refusedToStart(String name, Map<String, String> env) throws Exception {
        ServiceProcess p = ServiceProcess.start(name, getClass().getSimpleName() + "-" + name, db, env);
        processes.add(p);
        int exit = p.awaitExit(Duration.ofSeconds(90));
        assertNotEquals(-1, exit, "it should not keep running" + logs().get());
        assertNotEquals(0, exit);
        return Files.readString(p.logFile(), UTF_8);
    }

    private void assertNothingRan(String role) {
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_roles WHERE rolname = ?", role), "the role was created");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname IN ('ok', 'half_a', 'half_b')"));
    }
}
