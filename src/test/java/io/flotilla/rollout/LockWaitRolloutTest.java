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
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rollout's lock strategy through the API: {@code onLockTimeout: wait} keeps a blocked company waiting while the
 * others finish, and runs it once its blocker is gone; bad lock fields are refused with nothing created.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LockWaitRolloutTest {

    @Inject
    DataSource ds;

    List<UUID> fleet(String prefix, int n) {
        return Sql.companies(ds, prefix, n);
    }

    Response start(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/rollouts");
    }

    String state(String rollout) {
        return given().get("/api/v1/rollouts/{id}", rollout).then().statusCode(200).extract().path("state");
    }

    String target(String rollout, UUID company, String column) {
        return Sql.column(ds, "SELECT " + column + "::text FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND company_id = ?", rollout, company).get(0);
    }

    String schema(UUID company) {
        return Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?", company).get(0);
    }

    @Test
    void aWaitingCompanyWaitsForItsLocksWhileTheOthersFinishThenRuns() throws Exception {
        List<UUID> ids = fleet("lockwait", 2);
        String first = start(Map.of("companyIds", ids, "targetVersion", "6")).then().statusCode(202).extract().path("id");
        Await.until("version 6 everywhere", () -> "succeeded".equals(state(first)));
        UUID blocked = ids.get(0);
        UUID free = ids.get(1);
        String rollout;
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'lock-holder-rollout'");
            holder.setAutoCommit(false);
            // A writer: CREATE INDEX CONCURRENTLY (version 7, no-transaction) waits for it to end.
            s.execute("LOCK TABLE " + schema(blocked) + ".messages IN ROW EXCLUSIVE MODE");
            rollout = start(Map.of("companyIds", ids, "strategy", Map.of("onLockTimeout", "wait",
                    "lockTimeouts", List.of("50ms", "100ms"), "lockBudget", "1s"))).then().statusCode(202)
                    .body("strategy.onLockTimeout", equalTo("wait"))
                    .body("strategy.lockTimeouts[1]", equalTo("100ms"))
                    .extract().path("id");
            Await.until("the free company done and the blocked one waiting", () ->
                    "succeeded".equals(target(rollout, free, "status"))
                            && "waiting".equals(target(rollout, blocked, "status")));
            assertTrue(target(rollout, blocked, "error").contains("lock-holder-rollout"), target(rollout, blocked, "error"));
            assertEquals("running", state(rollout), "not finished while a company waits for its locks");
            assertTrue(Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                    + " AND company_id = ? AND status = 'failed' AND error_sqlstate = '55P03'"
                    + " AND lock_blocker LIKE '%lock-holder-rollout%'", rollout, blocked) >= 1, "the attempt is in the ledger");
            holder.rollback();
        }
        Await.until("the rollout to finish once the blocker is gone", () -> "succeeded".equals(state(rollout)));
        assertEquals("succeeded", target(rollout, blocked, "status"));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND company_id = ? AND version = '7' AND status = 'applied'", rollout, blocked));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?"
                + " AND c.relname = 'messages_tenant_role_created_idx' AND i.indisvalid", schema(blocked)),
                "the INVALID index a timed-out attempt left was dropped and built again");
        given().get("/api/v1/ledger?companyId={c}&limit=20", blocked.toString()).then().statusCode(200)
                .body("items.find { it.status == 'failed' }.lockBlocker", containsString("lock-holder-rollout"));
    }

    @Test
    void aCompanyRetryingForLocksLendsItsSlotSoTheOthersGoOnAtFullSpeed() throws Exception {
        List<UUID> ids = fleet("locklend", 3);
        String first = start(Map.of("companyIds", ids, "targetVersion", "6")).then().statusCode(202).extract().path("id");
        Await.until("version 6 everywhere", () -> "succeeded".equals(state(first)));
        UUID blocked = ids.get(0);
        String rollout;
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'lock-holder-lending'");
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE " + schema(blocked) + ".messages IN ROW EXCLUSIVE MODE");
            // One slot, the blocked company first, retries in place (the default) with a long budget: between its
            // attempts its slot runs the two others.
            rollout = start(Map.of("companyIds", ids, "strategy", Map.of("canary", 0, "maxParallel", 1,
                    "lockTimeouts", List.of("100ms", "200ms"), "lockBudget", "60s"))).then().statusCode(202)
                    .extract().path("id");
            Await.until("the two free companies done while the blocked one retries", () ->
                    "succeeded".equals(target(rollout, ids.get(1), "status"))
                            && "succeeded".equals(target(rollout, ids.get(2), "status")));
            assertEquals("running", target(rollout, blocked, "status"), "still retrying, its blocker alive");
            holder.rollback();
        }
        Await.until("the rollout to finish once the blocker is gone", () -> "succeeded".equals(state(rollout)));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND company_id = ? AND version = '7' AND status = 'applied' AND lock_attempts > 1", rollout, blocked),
                "applied once, after more than one attempt");
    }

    @Test
    void aBlockedCompanyThatCannotLendItsSlotStepsAsideAndCarriesOnAfterTheOthers() throws Exception {
        List<UUID> ids = fleet("lockaside", 4);
        String first = start(Map.of("companyIds", ids, "targetVersion", "5")).then().statusCode(202).extract().path("id");
        Await.until("version 5 everywhere", () -> "succeeded".equals(state(first)));
        UUID lender = ids.get(0);
        UUID aside = ids.get(1);
        String rollout;
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'lock-holder-aside'");
            holder.setAutoCommit(false);
            // Version 6 (a materialized view over messages, transactional) waits for both tables' holder.
            s.execute("LOCK TABLE " + schema(lender) + ".messages, " + schema(aside) + ".messages IN ACCESS EXCLUSIVE MODE");
            // One slot, so one can be lent (maxParallel 1 of a pool of 20): the first blocked company lends it, the
            // second cannot and steps aside, its connection and schema lock released, to the back of the queue.
            rollout = start(Map.of("companyIds", ids, "targetVersion", "6", "strategy", Map.of("canary", 0,
                    "maxParallel", 1, "lockTimeouts", List.of("100ms", "200ms"), "lockBudget", "60s")))
                    .then().statusCode(202).extract().path("id");
            Await.until("the two free companies done while both blocked ones wait", () ->
                    "succeeded".equals(target(rollout, ids.get(2), "status"))
                            && "succeeded".equals(target(rollout, ids.get(3), "status")));
            assertEquals("waiting", target(rollout, aside, "status"));
            assertTrue(target(rollout, aside, "error").contains("stepped aside")
                    && target(rollout, aside, "error").contains("lock-holder-aside"), target(rollout, aside, "error"));
            assertEquals("running", target(rollout, lender, "status"), "the lender waits in place");
            holder.rollback();
        }
        Await.until("the rollout to finish once the blocker is gone", () -> "succeeded".equals(state(rollout)));
        for (UUID id : List.of(lender, aside)) {
            assertEquals("succeeded", target(rollout, id, "status"));
            assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                    + " AND company_id = ? AND version = '6'", rollout, id), "one row: applied once, no failure recorded");
        }
        assertTrue(Sql.count(ds, "SELECT lock_attempts FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND company_id = ? AND version = '6' AND status = 'applied'"
                + " AND lock_blocker LIKE '%lock-holder-aside%'", rollout, aside) >= 2,
                "the attempts before it stepped aside count, and the blocker it saw is kept");
    }

    @Test
    void underFailTheBlockedCompanyFailsAsLockTimeoutAndEveryViewNamesTheBlocker() throws Exception {
        List<UUID> ids = fleet("lockfailrollout", 2);
        String first = start(Map.of("companyIds", ids, "targetVersion", "6")).then().statusCode(202).extract().path("id");
        Await.until("version 6 everywhere", () -> "succeeded".equals(state(first)));
        UUID blocked = ids.get(0);
        String rollout;
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'lock-holder-failing'");
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE " + schema(blocked) + ".messages IN ROW EXCLUSIVE MODE");
            rollout = start(Map.of("companyIds", ids, "strategy", Map.of("maxFailures", 1,
                    "lockTimeouts", List.of("50ms"), "lockBudget", "500ms"))).then().statusCode(202).extract().path("id");
            Await.until("the rollout to end", () -> "failed".equals(state(rollout)));
            holder.rollback();
        }
        assertEquals("succeeded", target(rollout, ids.get(1), "status"), "the other company went on");
        given().get("/api/v1/rollouts/{id}", rollout).then().statusCode(200)
                .body("failures[0].companyId", equalTo(blocked.toString()))
                .body("failures[0].sqlState", equalTo("55P03"))
                .body("failures[0].error", containsString("lock-timeout"))
                .body("failures[0].error", containsString("lock-holder-failing"));
        given().get("/api/v1/companies/{id}/migrations", blocked.toString()).then().statusCode(200)
                .body("find { it.version == '7' }.lastError", containsString("lock-holder-failing"));
    }

    @Test
    void badLockFieldsAreRefusedAndCreateNothing() {
        long before = Sql.count(ds, "SELECT count(*) FROM public.rollouts");
        for (Map<String, Object> strategy : List.<Map<String, Object>>of(
                Map.of("onLockTimeout", "maybe"),
                Map.of("lockTimeouts", List.of("100ms", "soon")),
                Map.of("lockTimeouts", List.of("0ms")),
                Map.of("lockBudget", "-1s"),
                Map.of("statementTimeout", "25h"))) {
            start(Map.of("strategy", strategy)).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("strategy."));
        }
        assertEquals(before, Sql.count(ds, "SELECT count(*) FROM public.rollouts"));
    }
}
