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

import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantExecutor;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rollouts end to end in one service against a real PostgreSQL: waves, thresholds, steering, refusals. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RolloutTest {

    static final int VERSIONS = 7;

    @Inject
    DataSource ds;

    /** A fleet of companies with empty schemas, as an existing deployment would have before its first rollout. */
    List<String> fleet(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String schema = Sql.unique(prefix);
            Sql.execute(ds, "CREATE SCHEMA " + schema);
            ids.add(Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?) RETURNING id::text",
                    "Co " + schema, schema).get(0));
        }
        return ids;
    }

    static Response start(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/rollouts");
    }

    static String started(Map<String, Object> body) {
        return start(body).then().statusCode(202).header("Location", containsString("/api/v1/rollouts/"))
                .extract().path("id");
    }


    static String state(String id) {
        return given().get("/api/v1/rollouts/{id}", id).then().statusCode(200).extract().path("state");
    }

    static Response finished(String id) {
        Await.until("rollout " + id + " to finish", () -> List.of("succeeded", "failed", "cancelled").contains(state(id)));
        return given().get("/api/v1/rollouts/{id}", id);
    }

    long applied(String companyId) {
        return Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid AND status = 'applied'"
                + " AND direction = 'up'", companyId);
    }

    @Test
    void aRolloutMigratesEveryChosenCompanyInWavesAndRecordsEachStep() {
        List<String> ids = fleet("wave", 7);
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("canary", 1, "batchSize", 3, "maxParallel", 2)));
        finished(id).then().body("state", equalTo("succeeded"))
                .body("waves", equalTo(3)) // canary of 1, then 6 in waves of 3
                .body("targets.succeeded", equalTo(7))
                .body("steps.applied", equalTo(7 * VERSIONS))
                .body("failures", hasSize(0));
        for (String c : ids) {
            assertEquals(VERSIONS, applied(c));
            assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid AND applied", c));
        }
        assertEquals(7 * VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid", id));
        // Companies are free again: a second rollout finds nothing to do and touches nothing.
        String again = started(Map.of("companyIds", ids));
        finished(again).then().body("state", equalTo("succeeded")).body("totalTargets", equalTo(7))
                .body("targets.skipped", equalTo(7));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid", again));
        // Up-to-date companies are counted, not stored one target row each; the list reports them as well.
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid", again));
        given().queryParam("limit", 100).get("/api/v1/rollouts").then().statusCode(200)
                .body("find { it.id == '" + again + "' }.targets.skipped", equalTo(7));
    }

    /** One company whose schema already has a table migration 1 creates: its step 1 fails with 42P07. */
    String breakCompany(String companyId) {
        String schema = Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?::uuid", companyId).get(0);
        Sql.execute(ds, "CREATE TABLE " + schema + ".conversations (id int)");
        return schema;
    }

    @Test
    void maxFailuresZeroStopsStartingSchemasAtTheFirstFailure() {
        List<String> ids = fleet("stop", 6);
        breakCompany(ids.get(1));
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("maxParallel", 1, "maxFailures", 0)));
        finished(id).then().body("state", equalTo("failed"))
                .body("error", containsString("stopped after 1 failed"))
                .body("targets.succeeded", equalTo(1))
                .body("targets.failed", equalTo(1))
                .body("targets.cancelled", equalTo(4))
                .body("failures[0].version", equalTo("1"))
                .body("failures[0].sqlState", equalTo("42P07"));
        assertEquals(VERSIONS, applied(ids.get(0)));
        for (String later : ids.subList(2, 6)) {
            assertEquals(0, applied(later), "no schema starts after the threshold");
        }
        // The stopped companies are released: a later rollout picks up what is pending.
        String next = started(Map.of("companyIds", ids.subList(2, 6)));
        finished(next).then().body("state", equalTo("succeeded")).body("targets.succeeded", equalTo(4));
    }

    @Test
    void failuresWithinMaxFailuresLetTheRestFinish() {
        List<String> ids = fleet("tolerate", 6);
        breakCompany(ids.get(0));
        breakCompany(ids.get(3));
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("maxParallel", 2, "maxFailures", 2)));
        finished(id).then().body("state", equalTo("failed"))
                .body("error", containsString("within maxFailures"))
                .body("targets.succeeded", equalTo(4))
                .body("targets.failed", equalTo(2))
                .body("failures", hasSize(2));
    }

    @Test
    void exceedingMaxFailuresStopsTheRest() {
        List<String> ids = fleet("exceed", 8);
        breakCompany(ids.get(0));
        breakCompany(ids.get(1));
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("maxParallel", 1, "maxFailures", 1)));
        finished(id).then().body("state", equalTo("failed"))
                .body("error", containsString("stopped after 2 failed"))
                .body("targets.failed", equalTo(2))
                .body("targets.cancelled", equalTo(6));
    }

    @Test
    void aFailingCanaryStopsTheRolloutBeforeTheRestStart() {
        List<String> ids = fleet("canary", 5);
        breakCompany(ids.get(0));
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("canary", 2, "maxParallel", 2, "maxFailures", 10)));
        finished(id).then().body("state", equalTo("failed"))
                .body("error", containsString("canary"))
                .body("targets.failed", equalTo(1))
                .body("targets.succeeded", equalTo(1))
                .body("targets.cancelled", equalTo(3));
        for (String rest : ids.subList(2, 5)) {
            assertEquals(0, applied(rest));
        }
    }

    @Test
    void pauseHoldsNewSchemasResumeFinishesAndOverlapsAre409() throws Exception {
        List<String> ids = fleet("pause", 6);
        String first = Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?::uuid", ids.get(0)).get(0);
        String id;
        // Hold the first company's schema lock so the rollout is surely in flight on it when we pause.
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('" + first + "'))");
            id = started(Map.of("companyIds", ids, "strategy", Map.of("maxParallel", 1)));
            Await.until("the first company to be in flight", () -> Sql.count(ds, "SELECT count(*) FROM public.rollout_targets"
                    + " WHERE rollout_id = ?::uuid AND status = 'running'", id) == 1);
            given().post("/api/v1/rollouts/{id}/pause", id).then().statusCode(200).body("state", equalTo("paused"));
            st.execute("SELECT pg_advisory_unlock_all()");
        }
        // The in-flight company finishes; no other starts while paused.
        Await.until("the owner to let go", () -> given().get("/api/v1/rollouts/{id}", id).path("owner") == null);
        assertEquals(VERSIONS, applied(ids.get(0)));
        assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid", id));
        given().get("/api/v1/rollouts/{id}", id).then().body("state", equalTo("paused"))
                .body("targets.succeeded", equalTo(1)).body("targets.pending", equalTo(5));
        // Another rollout over the same companies is refused while this one holds them.
        start(Map.of("companyIds", ids.subList(1, 3))).then().statusCode(409)
                .contentType("application/problem+json").body("rolloutId", equalTo(id));
        given().post("/api/v1/rollouts/{id}/pause", id).then().statusCode(409);

        given().post("/api/v1/rollouts/{id}/resume", id).then().statusCode(200).body("state", equalTo("running"));
        finished(id).then().body("state", equalTo("succeeded")).body("targets.succeeded", equalTo(6));
        for (String c : ids) {
            assertEquals(VERSIONS, applied(c));
        }
    }

    @Test
    void cancelEndsTheRolloutAndReleasesItsCompanies() {
        List<String> ids = fleet("cancel", 10);
        String id = started(Map.of("companyIds", ids, "strategy", Map.of("maxParallel", 1)));
        given().post("/api/v1/rollouts/{id}/pause", id).then().statusCode(200);
        given().post("/api/v1/rollouts/{id}/cancel", id).then().statusCode(200).body("state", equalTo("cancelled"));
        finished(id).then().body("state", equalTo("cancelled"));
        Await.until("companies released", () -> Sql.count(ds,
                "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid AND active", id) == 0);
        given().post("/api/v1/rollouts/{id}/resume", id).then().statusCode(409);
        String next = started(Map.of("companyIds", ids));
        finished(next).then().body("state", equalTo("succeeded"));
        for (String c : ids) {
            assertEquals(VERSIONS, applied(c), "each version applied exactly once across both rollouts");
        }
    }

    @Test
    void downRollsBackToTheTargetAndUpAgain() {
        List<String> ids = fleet("down", 3);
        finished(started(Map.of("companyIds", ids))).then().body("state", equalTo("succeeded"));
        String down = started(Map.of("companyIds", ids, "direction", "down", "targetVersion", "4"));
        finished(down).then().body("state", equalTo("succeeded")).body("steps.rolled_back", equalTo(3 * 3));
        String schema = Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?::uuid", ids.get(0)).get(0);
        assertEquals(List.of("conversations", "feedback", "messages", "usage_metrics"), Sql.tables(ds, schema));
        assertEquals(List.of("7", "6", "5"), Sql.column(ds, "SELECT version FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND company_id = ?::uuid ORDER BY id", down, ids.get(0)));
        given().get("/api/v1/companies/{id}/migrations", ids.get(0)).then()
                .body("state", equalTo(List.of("applied", "applied", "applied", "applied", "pending", "pending", "pending")));
        finished(started(Map.of("companyIds", ids, "targetVersion", "6"))).then().body("steps.applied", equalTo(3 * 2));
        given().get("/api/v1/companies/{id}/migrations", ids.get(0)).then().body("[6].state", equalTo("pending"));
    }

    @Test
    void dryRunShowsThePlanWithEachCompanysTemplateValuesAndRunsNothing() {
        List<String> ids = fleet("dry", 3);
        given().contentType(ContentType.JSON).body(Map.of("settings", Map.of("embedding_dimensions", 3072)))
                .patch("/api/v1/companies/{id}", ids.get(1)).then().statusCode(200);
        long before = Sql.count(ds, "SELECT count(*) FROM public.migration_ledger");
        start(Map.of("companyIds", ids, "dryRun", true, "strategy", Map.of("canary", 1))).then().statusCode(200)
                .body("dryRun", equalTo(true))
                .body("companies", equalTo(3))
                .body("steps", equalTo(3 * VERSIONS))
                .body("waves", equalTo(2))
                .body("plan[0].wave", equalTo(0))
                .body("plan[0].versions", hasSize(VERSIONS))
                .body("plan[0].templateValues.embedding_dimensions", equalTo("1536"))
                .body("plan[1].templateValues.embedding_dimensions", equalTo("3072"));
        assertEquals(before, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger"));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE company_id = ANY(?::uuid[])",
                (Object) ids.toArray(String[]::new)));
    }

    @Test
    void driftRefusesTheRolloutUnlessAllowedAndIsListed() {
        List<String> ids = fleet("drift", 2);
        finished(started(Map.of("companyIds", ids, "targetVersion", "3"))).then().body("state", equalTo("succeeded"));
        // As if file 2 had been edited after it was applied to the first company.
        Sql.execute(ds, "UPDATE public.migration_state SET checksum = repeat('0', 64) WHERE company_id = ?::uuid"
                + " AND version = '2'", ids.get(0));
        start(Map.of("companyIds", ids)).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("2"));
        given().queryParam("limit", 10000).get("/api/v1/drift").then().statusCode(200)
                .body("findAll { it.companyId == '" + ids.get(0) + "' }.versions.flatten()", equalTo(List.of("2")))
                .body("findAll { it.companyId == '" + ids.get(1) + "' }", hasSize(0));
        given().get("/api/v1/fleet").then().statusCode(200).body("latestVersion", equalTo("7"));
        assertTrue(given().get("/api/v1/fleet").<Integer>path("drifted") >= 1);
        finished(started(Map.of("companyIds", ids, "allowDrift", true))).then().body("state", equalTo("succeeded"));
    }

    @Test
    void fleetCountsCompaniesPerCurrentVersion() {
        Map<String, Object> before = given().get("/api/v1/fleet").then().statusCode(200).extract().path("$");
        List<String> ids = fleet("fleet", 3);
        given().get("/api/v1/fleet").then()
                .body("companies", equalTo((Integer) before.get("companies") + 3))
                .body("pending", equalTo((Integer) before.get("pending") + 3));
        finished(started(Map.of("companyIds", ids.subList(0, 2), "targetVersion", "2"))).then().body("state", equalTo("succeeded"));
        Response after = given().get("/api/v1/fleet");
        List<Map<String, Object>> versions = after.path("versions");
        assertTrue(versions.stream().anyMatch(v -> "2".equals(v.get("version")) && ((Integer) v.get("companies")) >= 2));
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsStored() {
        long rollouts = Sql.count(ds, "SELECT count(*) FROM public.rollouts");
        start(Map.of("direction", "sideways")).then().statusCode(400).body("detail", containsString("direction"));
        start(Map.of("direction", "down")).then().statusCode(400).body("detail", containsString("targetVersion"));
        start(Map.of("targetVersion", "99")).then().statusCode(404);
        start(Map.of("targetVersion", "x.y")).then().statusCode(400);
        start(Map.of("strategy", Map.of("maxParallel", 0))).then().statusCode(400).body("detail", containsString("maxParallel"));
        start(Map.of("strategy", Map.of("maxParallel", 1000))).then().statusCode(400);
        start(Map.of("strategy", Map.of("batchSize", 0))).then().statusCode(400);
        start(Map.of("companyIds", List.of("00000000-0000-0000-0000-000000000000"))).then().statusCode(404);
        start(Map.of("status", "inactive")).then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"strategy\": {\"parallel\": 3}}").post("/api/v1/rollouts")
                .then().statusCode(400).body("detail", containsString("parallel"));
        given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        given().post("/api/v1/rollouts/not-an-id/pause").then().statusCode(400);
        assertEquals(rollouts, Sql.count(ds, "SELECT count(*) FROM public.rollouts"));
    }

    @Test
    void metricsAreExported() {
        finished(started(Map.of("companyIds", fleet("metric", 1)))).then().body("state", equalTo("succeeded"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("flotilla_rollouts_started_total"), metrics);
        assertTrue(metrics.contains("flotilla_rollouts_finished_total{outcome=\"succeeded\"}"));
        assertTrue(metrics.contains("flotilla_migration_step_seconds_count{direction=\"up\",outcome=\"succeeded\"}"));
        assertTrue(metrics.contains("flotilla_schemas_in_flight"));
        assertTrue(metrics.contains("flotilla_steps_pending"));
    }
}
