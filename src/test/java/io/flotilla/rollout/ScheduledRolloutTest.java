package io.flotilla.rollout;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts with {@code startAt}: scheduled until then on Quartz's clustered store, planned and started by its
 * trigger; cancellable while scheduled; refused when the instant is not ahead.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ScheduledRolloutTest {

    @Inject
    DataSource ds;

    @Inject
    RolloutSchedule schedule;

    Response start(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/rollouts");
    }

    String state(String rollout) {
        return given().get("/api/v1/rollouts/{id}", rollout).then().statusCode(200).extract().path("state");
    }

    long targets(String rollout) {
        return Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid", rollout);
    }

    @Test
    void aScheduledRolloutWaitsForItsInstantThenRunsOnce() {
        List<UUID> ids = Sql.companies(ds, "sched", 2);
        OffsetDateTime startAt = OffsetDateTime.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);
        String id = start(Map.of("companyIds", ids, "targetVersion", "2", "startAt", startAt.toString()))
                .then().statusCode(202).contentType(ContentType.JSON)
                .body("state", equalTo("scheduled"))
                .body("totalTargets", equalTo(2))
                .extract().path("id");
        assertEquals(0, targets(id), "planned when it starts, not before");
        assertTrue(schedule.scheduled(UUID.fromString(id)), "a Quartz trigger holds it");
        given().get("/api/v1/rollouts").then().statusCode(200).body("find { it.id == '" + id + "' }.state",
                equalTo("scheduled"));

        Await.until("the scheduled rollout to run", () -> "succeeded".equals(state(id)));
        OffsetDateTime started = OffsetDateTime.parse(given().get("/api/v1/rollouts/{id}", id).then()
                .extract().path("startedAt"));
        assertFalse(started.isBefore(startAt), "started at " + started + ", scheduled for " + startAt);
        assertEquals(2, targets(id));
        assertEquals(4, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND status = 'applied'", id), "versions 1 and 2 on each company, once");
        assertFalse(schedule.scheduled(UUID.fromString(id)), "the trigger is gone once it fired");
    }

    @Test
    void aScheduledRolloutCanBeCancelledAndNotPaused() {
        List<UUID> ids = Sql.companies(ds, "schedcancel", 1);
        String id = start(Map.of("companyIds", ids, "startAt", OffsetDateTime.now().plusHours(1).toString()))
                .then().statusCode(202).body("state", equalTo("scheduled")).extract().path("id");
        given().post("/api/v1/rollouts/{id}/pause", id).then().statusCode(409)
                .contentType("application/problem+json").body("state", equalTo("scheduled"));
        given().post("/api/v1/rollouts/{id}/cancel", id).then().statusCode(200).body("state", equalTo("cancelled"));
        assertFalse(schedule.scheduled(UUID.fromString(id)), "its trigger went with it");
        assertEquals(0, targets(id));
        // The companies are free: another rollout may take them now.
        String now = start(Map.of("companyIds", ids, "targetVersion", "1")).then().statusCode(202).extract().path("id");
        Await.until("the unscheduled rollout to run", () -> "succeeded".equals(state(now)));
    }

    @Test
    void anInstantNotAheadIsRefusedAndNothingIsStored() {
        long before = Sql.count(ds, "SELECT count(*) FROM public.rollouts");
        for (String startAt : List.of(OffsetDateTime.now().minusMinutes(1).toString(),
                OffsetDateTime.now().plusYears(2).toString())) {
            start(Map.of("startAt", startAt)).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("startAt"));
        }
        start(Map.of("startAt", "tomorrow")).then().statusCode(400).contentType("application/problem+json");
        assertEquals(before, Sql.count(ds, "SELECT count(*) FROM public.rollouts"));
    }
}
