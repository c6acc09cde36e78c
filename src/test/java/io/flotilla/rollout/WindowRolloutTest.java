package io.flotilla.rollout;

import io.flotilla.maintenance.MaintenanceCatalog;
import io.flotilla.maintenance.MaintenanceService;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts and maintenance runs against companies' maintenance windows, with windows computed from now in the
 * company's own zone (a few seconds ahead, or an hour away), so a test waits seconds, never for a real night.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WindowRolloutTest {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Inject
    DataSource ds;

    List<String> fleet(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        Sql.companies(ds, prefix, n).forEach(id -> ids.add(id.toString()));
        return ids;
    }

    /** Gives the company a window of one range opening at {@code opens} (in {@code zone}) for {@code length}. */
    static void window(String companyId, ZoneId zone, Instant opens, Duration length) {
        ZonedDateTime from = opens.atZone(zone);
        ZonedDateTime to = from.plus(length);
        given().contentType(ContentType.JSON).body(Map.of("window", Map.of("timeZone", zone.getId(), "ranges", List.of(
                        Map.of("days", List.of(from.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT)),
                                "from", TIME.format(from), "to", TIME.format(to))))))
                .patch("/api/v1/companies/{id}", companyId).then().statusCode(200)
                .body("window.timeZone", equalTo(zone.getId()));
    }

    String target(String rollout, String company, String column) {
        return Sql.column(ds, "SELECT " + column + " FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND company_id = ?::uuid", rollout, company).get(0);
    }

    long applied(String companyId) {
        return Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid AND status = 'applied'",
                companyId);
    }

    @Test
    void aCompanyWhoseWindowIsClosedWaitsWhileTheOthersFinishAndRunsWhenItOpens() {
        List<String> others = fleet("winopen", 3);
        String late = fleet("winlate", 1).get(0);
        // Chatham (UTC+12:45/+13:45): a window in local time that is nowhere near UTC's.
        ZoneId zone = ZoneId.of("Pacific/Chatham");
        Instant opens = Instant.now().plusSeconds(12).truncatedTo(ChronoUnit.SECONDS);
        window(late, zone, opens, Duration.ofHours(1));
        List<String> all = new ArrayList<>(others);
        all.add(1, late);

        String id = RolloutTest.started(Map.of("companyIds", all, "strategy", Map.of("maxParallel", 2)));
        Await.until("the companies with no window to be done", () -> others.stream()
                .allMatch(c -> applied(c) == RolloutTest.VERSIONS));
        Await.until("the windowed company to wait", () -> "waiting".equals(target(id, late, "status")));
        assertTrue(Instant.now().isBefore(opens), "checked before the window opens (the others took too long)");
        String reason = target(id, late, "error");
        assertTrue(reason.startsWith(RolloutWorker.WINDOW_REASON + opens + " (window "), "its reason, the next opening: " + reason);
        assertEquals(0, applied(late), "nothing ran outside its window");
        assertEquals("running", RolloutTest.state(id), "the rollout waits for the window");
        // Progress is written with the heartbeat: the view catches up within one.
        Await.until("the view to show three succeeded and one waiting", () -> {
            Map<String, Integer> targets = given().get("/api/v1/rollouts/{id}", id).path("targets");
            return Integer.valueOf(3).equals(targets.get("succeeded")) && Integer.valueOf(1).equals(targets.get("waiting"));
        });
        given().get("/api/v1/rollouts/{id}", id).then()
                .body("waiting.size()", equalTo(1))
                .body("waiting[0].companyId", equalTo(late))
                .body("waiting[0].reason", startsWith(RolloutWorker.WINDOW_REASON + opens));
        assertTrue(Instant.now().isBefore(opens), "seen before the window opens");

        RolloutTest.finished(id).then().body("state", equalTo("succeeded")).body("targets.succeeded", equalTo(4));
        assertEquals(RolloutTest.VERSIONS, applied(late));
        // Its steps ran inside the window, not before it opened.
        assertTrue(Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid"
                + " AND started_at < ?::timestamptz", late, opens.toString()) == 0, "a step started before " + opens);
    }

    @Test
    void theDeadlineCancelsTheCompaniesNotReachedAndEndsTheRollout() {
        List<String> others = fleet("dlopen", 2);
        String late = fleet("dllate", 1).get(0);
        window(late, ZoneId.of("America/New_York"), Instant.now().plus(Duration.ofHours(2)), Duration.ofHours(1));
        Instant deadline = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        List<String> all = new ArrayList<>(others);
        all.add(late);

        String id = RolloutTest.started(Map.of("companyIds", all, "strategy", Map.of("deadline", deadline.toString())));
        given().get("/api/v1/rollouts/{id}", id).then().body("strategy.deadline", equalTo(deadline.toString()));
        Await.until("the windowed company to wait", () -> "waiting".equals(target(id, late, "status")));
        RolloutTest.finished(id).then().body("state", equalTo("failed"))
                .body("error", startsWith("deadline " + deadline + " passed: 1 companies not reached"))
                .body("targets.succeeded", equalTo(2)).body("targets.cancelled", equalTo(1));
        assertFalse(Instant.now().isBefore(deadline), "ended at its deadline, not before");
        assertEquals("cancelled", target(id, late, "status"));
        assertEquals("not reached before the rollout's deadline " + deadline, target(id, late, "error"));
        assertEquals(0, applied(late));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid AND active", id),
                "its companies are released");
    }

    @Test
    void aDeadlineNotInTheFutureOrNotAnInstantIsRefused() {
        List<String> ids = fleet("dlbad", 1);
        RolloutTest.start(Map.of("companyIds", ids, "strategy", Map.of("deadline", Instant.now().minusSeconds(1).toString())))
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("strategy.deadline must be after now"));
        RolloutTest.start(Map.of("companyIds", ids, "strategy", Map.of("deadline", "tomorrow")))
                .then().statusCode(400).contentType("application/problem+json");
        Instant at = Instant.now().plusSeconds(3600);
        RolloutTest.start(Map.of("companyIds", ids, "startAt", at.toString(),
                        "strategy", Map.of("deadline", at.minusSeconds(60).toString())))
                .then().statusCode(400).body("detail", containsString("strategy.deadline must be after startAt"));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE company_id = ?::uuid",
                ids.get(0)), "nothing stored");
    }

    @Test
    void maintenanceSkipsACompanyOutsideItsWindowWithTheNextOpeningAndRunsOneInside() {
        String closed = onboard();
        String open = onboard();
        String none = onboard();
        ZoneId zone = ZoneId.of("Asia/Kolkata");
        Instant opens = Instant.now().plus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        window(closed, zone, opens, Duration.ofHours(1));
        window(open, zone, Instant.now().minusSeconds(60), Duration.ofHours(2));
        String run = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(closed, open, none)))
                .post("/api/v1/maintenance/jobs/{job}/run", MaintenanceCatalog.VACUUM)
                .then().statusCode(202).extract().path("id");
        Await.until("run " + run, () -> List.of("succeeded", "failed")
                .contains(given().get("/api/v1/maintenance/runs/{id}", run).<String>path("state")));
        given().get("/api/v1/maintenance/runs/{id}", run).then().body("state", equalTo("succeeded"))
                .body("succeeded", equalTo(2)).body("skipped", equalTo(1))
                .body("steps.find { it.companyId == '" + closed + "' }.status", equalTo("skipped"))
                .body("steps.find { it.companyId == '" + closed + "' }.detail",
                        startsWith(MaintenanceService.WINDOW_SKIP + opens))
                .body("steps.find { it.companyId == '" + open + "' }.status", equalTo("succeeded"))
                .body("steps.find { it.companyId == '" + none + "' }.status", equalTo("succeeded"));
    }

    static String onboard() {
        String schema = Sql.unique("winmnt");
        return given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }
}
