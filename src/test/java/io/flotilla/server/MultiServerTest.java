package io.flotilla.server;

import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.LogCapture;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tenant schemas on three more PostgreSQL servers (embedded, on other ports, asking for passwords), one control
 * plane: placement, a rollout over all of them, a server stopped mid-rollout and restarted, and the home ledger
 * exact throughout. Ordered: the first test registers the servers; the last ones stop and restart one.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiServerTest {

    static final int VERSIONS = 7;
    static final String[] PASSWORDS = {"pw-one-" + UUID.randomUUID(), "pw-two-" + UUID.randomUUID(),
            "pw-three-" + UUID.randomUUID()};
    static final String[] NAMES = {Sql.unique("one"), Sql.unique("two"), Sql.unique("three")};

    static ExtraServers extra;
    static LogCapture log;
    static final List<String> answers = new ArrayList<>();

    @Inject
    DataSource ds;

    @Inject
    LedgerReconciliation reconciliation;

    @BeforeAll
    static void start() throws IOException {
        TestTokens.useAdminByDefault();
        extra = ExtraServers.start(PASSWORDS);
        log = LogCapture.install();
    }

    @AfterAll
    static void stop() throws IOException {
        ExtraServers.forget(Arc.container().instance(DataSource.class).get(), NAMES);
        if (log != null) {
            log.close();
        }
        if (extra != null) {
            extra.close();
        }
    }

    static Response call(Response r) {
        answers.add(r.asString());
        return r;
    }

    static Response onboard(String schema, String server, String status) {
        Map<String, Object> body = new HashMap<>(Map.of("companyName", "Co " + schema, "schemaName", schema,
                "status", status));
        if (server != null) {
            body.put("server", server);
        }
        return call(given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies"));
    }

    static String onboarded(String server, String status) {
        String schema = Sql.unique("ms");
        return onboard(schema, server, status).then().statusCode(201).extract().path("id");
    }

    static void patchServer(String name, String state) {
        call(given().contentType(ContentType.JSON).body(Map.of("state", state))
                .when().patch("/api/v1/servers/" + name)).then().statusCode(200);
    }

    static String rolloutState(String id) {
        return call(given().get("/api/v1/rollouts/{id}", id)).then().statusCode(200).extract().path("state");
    }

    static Integer targets(String id, String status) {
        return call(given().get("/api/v1/rollouts/{id}", id)).then().extract().path("targets." + status);
    }

    boolean schemaOn(int server, String schema) {
        return !extra.column(server, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema).isEmpty();
    }

    String serverOf(String companyId) {
        return Sql.column(ds, "SELECT server FROM public.companies WHERE id = ?::uuid", companyId).get(0);
    }

    String schemaOf(String companyId) {
        return Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?::uuid", companyId).get(0);
    }

    /** Every step a server recorded is in the home ledger exactly once, with the same outcome. */
    void homeLedgerMatches(int i) {
        List<String> there = extra.column(i, "SELECT id || ':' || status FROM public.migration_ledger ORDER BY id");
        List<String> here = Sql.column(ds, "SELECT server_step_id || ':' || status FROM public.migration_ledger"
                + " WHERE server = ? ORDER BY server_step_id", NAMES[i]);
        assertEquals(there, here, "home ledger rows of server " + NAMES[i]);
    }

    @Test
    @Order(1)
    void registersThreeServers() {
        for (int i = 0; i < 3; i++) {
            Map<String, Object> body = new HashMap<>(Map.of("name", NAMES[i], "host", "127.0.0.1",
                    "port", extra.port(i), "database", ExtraServers.DATABASE, "user", ExtraServers.USER,
                    "connectionBudget", 4, "passwordFrom", Map.of("file", extra.passwordFile(i).toString())));
            if (i == 0) {
                body.put("schemaCapacity", 2);
            }
            call(given().contentType(ContentType.JSON).body(body).when().post("/api/v1/servers")).then().statusCode(201);
        }
    }

    @Test
    @Order(2)
    void placesCompaniesByExplicitServerAndByCapacity() {
        // Explicit: the schema is made on that server, not at home.
        String schema = Sql.unique("ms_explicit");
        String id = onboard(schema, NAMES[1], "active").then().statusCode(201)
                .body("server", equalTo(NAMES[1])).extract().path("id");
        assertTrue(schemaOn(1, schema));
        assertFalse(Sql.schemaExists(ds, schema));
        // Every migration applied there, recorded there and copied home.
        assertEquals(String.valueOf(VERSIONS), extra.column(1, "SELECT count(*) FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND status = 'applied'", id).get(0));
        assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid"
                + " AND status = 'applied' AND server = ?", id, NAMES[1]));
        assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND applied", id));

        // Automatic: the emptiest active server under its capacity. The first server holds 2 at most. Home drains
        // meanwhile (it may be the emptiest in a fresh test database).
        patchServer("home", "draining");
        try {
            for (int n = 0; n < 5; n++) {
                onboarded(null, "inactive");
            }
        } finally {
            patchServer("home", "active");
        }
        Map<String, Long> perServer = new HashMap<>();
        for (String name : NAMES) {
            perServer.put(name, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", name));
        }
        assertEquals(2L, perServer.get(NAMES[0]), perServer.toString());
        assertEquals(6L, perServer.values().stream().mapToLong(Long::longValue).sum(), perServer.toString());
        // Full: explicit placement on it is refused, nothing created.
        String refused = Sql.unique("ms_full");
        onboard(refused, NAMES[0], "active").then().statusCode(409)
                .contentType("application/problem+json").body("server", equalTo(NAMES[0]));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", refused));
        assertFalse(schemaOn(0, refused));
    }

    @Test
    @Order(3)
    void unknownAndDrainingServersGetNoNewCompany() {
        String schema = Sql.unique("ms_unknown");
        onboard(schema, "no_such_server", "active").then().statusCode(400).contentType("application/problem+json");
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema));

        call(given().contentType(ContentType.JSON).body(Map.of("state", "draining"))
                .when().patch("/api/v1/servers/" + NAMES[2])).then().statusCode(200);
        try {
            String drained = Sql.unique("ms_drained");
            onboard(drained, NAMES[2], "active").then().statusCode(409).contentType("application/problem+json");
            assertFalse(schemaOn(2, drained));
            assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", drained));
            long before = Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAMES[2]);
            for (int n = 0; n < 3; n++) { // none may land on the draining server
                assertFalse(NAMES[2].equals(serverOf(onboarded(null, "inactive"))), "a draining server got a company");
            }
            assertEquals(before, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAMES[2]));
        } finally {
            call(given().contentType(ContentType.JSON).body(Map.of("state", "active"))
                    .when().patch("/api/v1/servers/" + NAMES[2])).then().statusCode(200);
        }
    }

    /** Companies with empty schemas on the given server, made active, for a rollout to migrate. */
    List<String> fleetOn(String server, int n) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String id = onboarded(server, "inactive");
            call(given().contentType(ContentType.JSON).body(Map.of("status", "active"))
                    .when().patch("/api/v1/companies/" + id)).then().statusCode(200);
            ids.add(id);
        }
        return ids;
    }

    @Test
    @Order(4)
    void aRolloutRunsOnEveryServerAtOnceWithACanaryOfEach() {
        List<String> ids = new ArrayList<>();
        ids.addAll(fleetOn(NAMES[1], 3));
        ids.addAll(fleetOn(NAMES[2], 3));
        ids.addAll(fleetOn("home", 2));
        String rollout = call(given().contentType(ContentType.JSON).body(Map.of("companyIds", ids,
                        "strategy", Map.of("canary", 1, "maxParallel", 4, "maxParallelPerServer", 1)))
                .when().post("/api/v1/rollouts")).then().statusCode(202).extract().path("id");
        Await.until("the rollout to succeed", () -> "succeeded".equals(rolloutState(rollout)));
        // The canary wave held one company of each server that had work.
        List<String> canary = Sql.column(ds, "SELECT server FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND wave = 0 ORDER BY server", rollout);
        assertEquals(List.of("home", NAMES[1], NAMES[2]).stream().sorted().toList(), canary);
        for (String id : ids) {
            String schema = schemaOf(id);
            String server = serverOf(id);
            int i = List.of(NAMES).indexOf(server);
            if (i >= 0) {
                assertTrue(extra.column(i, "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?", schema)
                        .stream().allMatch(n -> Integer.parseInt(n) > 0), schema);
                assertFalse(Sql.schemaExists(ds, schema));
            }
            assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid"
                    + " AND status = 'applied' AND run_id = ?::uuid AND server = ?", id, rollout, server), schema);
        }
        homeLedgerMatches(1);
        homeLedgerMatches(2);
    }

    @Test
    @Order(5)
    void aServerStoppedMidRolloutMakesItsCompaniesWaitAndTheyFinishWhenItIsBack() throws Exception {
        List<String> down = fleetOn(NAMES[1], 6);
        List<String> up = fleetOn(NAMES[2], 4);
        List<String> ids = new ArrayList<>(down);
        ids.addAll(up);
        // The stopped server's companies must still be in flight when it stops: a session of the test holds their
        // schema locks there (the migrator waits up to lock-wait for them), and goes down with the server.
        java.sql.Connection holder = extra.connect(1);
        for (String id : down) {
            try (var ps = holder.prepareStatement("SELECT pg_advisory_lock(?, hashtext(?))")) {
                ps.setInt(1, AdvisoryLocks.SCHEMA_NAMESPACE);
                ps.setString(2, schemaOf(id));
                ps.execute();
            }
        }
        String rollout = call(given().contentType(ContentType.JSON).body(Map.of("companyIds", ids,
                        "strategy", Map.of("maxParallel", 2, "maxParallelPerServer", 1)))
                .when().post("/api/v1/rollouts")).then().statusCode(202).extract().path("id");
        Await.until("the rollout to run", () -> "running".equals(rolloutState(rollout)));
        extra.stopImmediately(1);
        try {
            // The other server finishes its companies; the stopped one's wait (not failed, not skipped).
            Await.until("the other server's companies to finish", () -> Sql.count(ds, "SELECT count(*) FROM"
                    + " public.rollout_targets WHERE rollout_id = ?::uuid AND server = ? AND status = 'succeeded'",
                    rollout, NAMES[2]) == up.size());
            Await.until("companies waiting for the stopped server", () -> targets(rollout, "waiting") != null);
            assertEquals("running", rolloutState(rollout));
            // The rollout says whose: per server, its companies per status.
            Response detail = call(given().get("/api/v1/rollouts/{id}", rollout));
            Integer waitingThere = detail.path("servers." + NAMES[1] + ".waiting");
            assertTrue(waitingThere != null && waitingThere > 0, detail.asString());
            assertTrue(detail.path("servers." + NAMES[2] + ".waiting") == null, detail.asString());
            assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                    + " AND status IN ('failed', 'skipped', 'cancelled')", rollout));
            String error = Sql.column(ds, "SELECT error FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                    + " AND status = 'waiting' LIMIT 1", rollout).get(0);
            assertTrue(error.contains(NAMES[1]), error);
        } finally {
            extra.restart(1);
            extra.awaitUp(1, Duration.ofSeconds(60));
        }
        Await.until("the rollout to finish once the server is back", () -> "succeeded".equals(rolloutState(rollout)));
        for (String id : ids) {
            assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid"
                    + " AND applied", id), schemaOf(id));
        }
        // A step interrupted by the stop is recorded failed/interrupted or rolled back there; whatever the server
        // recorded, home has exactly once (after a reconciliation pass for anything a copy missed).
        reconciliation.reconcile().await().atMost(Duration.ofSeconds(30));
        homeLedgerMatches(1);
        homeLedgerMatches(2);
        assertEquals(0, Sql.count(ds, "SELECT count(*) - count(DISTINCT (server, server_step_id)) FROM"
                + " public.migration_ledger WHERE server_step_id IS NOT NULL"));
    }

    @Test
    @Order(6)
    void aServerPastMaxFailuresPerServerStopsWhileTheOthersGoOn() throws Exception {
        List<String> failing = fleetOn(NAMES[1], 3);
        List<String> fine = fleetOn(NAMES[2], 3);
        // Each of the first server's schemas already has what version 1 creates: its first step fails there.
        for (String id : failing) {
            try (var c = extra.connect(1); var st = c.createStatement()) {
                st.execute("CREATE FUNCTION \"" + schemaOf(id) + "\".set_updated_at() RETURNS trigger LANGUAGE plpgsql"
                        + " AS $$ BEGIN RETURN NEW; END $$");
            }
        }
        List<String> ids = new ArrayList<>(failing);
        ids.addAll(fine);
        String rollout = call(given().contentType(ContentType.JSON).body(Map.of("companyIds", ids,
                        "strategy", Map.of("maxParallel", 2, "maxParallelPerServer", 1, "maxFailures", 10,
                                "maxFailuresPerServer", 0)))
                .when().post("/api/v1/rollouts")).then().statusCode(202).extract().path("id");
        Await.until("the rollout to finish", () -> List.of("succeeded", "failed", "cancelled").contains(rolloutState(rollout)));
        assertEquals("failed", rolloutState(rollout));
        Response detail = call(given().get("/api/v1/rollouts/{id}", rollout));
        assertEquals(Integer.valueOf(1), detail.path("servers." + NAMES[1] + ".failed"), detail.asString());
        assertEquals(Integer.valueOf(2), detail.path("servers." + NAMES[1] + ".cancelled"), detail.asString());
        assertEquals(Integer.valueOf(3), detail.path("servers." + NAMES[2] + ".succeeded"), detail.asString());
        assertEquals(NAMES[1], detail.path("failures[0].server"), detail.asString());
        String reason = Sql.column(ds, "SELECT error FROM public.rollout_targets WHERE rollout_id = ?::uuid"
                + " AND status = 'cancelled' LIMIT 1", rollout).get(0);
        assertTrue(reason.contains("maxFailuresPerServer"), reason);
        // Nothing was applied on the stopped server's cancelled companies.
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND server = ? AND status = 'applied'", rollout, NAMES[1]));
    }

    @Test
    @Order(7)
    void aStepCommittedOnAServerButNotCopiedIsCopiedOnceByTheReconciliation() throws Exception {
        String id = fleetOn(NAMES[2], 1).get(0);
        // The copy that follows a commit, lost: the server's rows for this company exist, home's are removed.
        call(given().contentType(ContentType.JSON).body(Map.of()).when().post("/api/v1/companies/" + id + "/migrate"))
                .then().statusCode(200);
        long copied = Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id);
        assertEquals(VERSIONS, copied);
        Sql.execute(ds, "DELETE FROM public.migration_ledger WHERE company_id = ?::uuid", id);
        Sql.execute(ds, "DELETE FROM public.migration_state WHERE company_id = ?::uuid", id);
        Map<String, Long> first = reconciliation.reconcile().await().atMost(Duration.ofSeconds(30));
        assertEquals(Long.valueOf(VERSIONS), first.get(NAMES[2]), first.toString());
        Map<String, Long> again = reconciliation.reconcile().await().atMost(Duration.ofSeconds(30));
        assertFalse(again.containsKey(NAMES[2]), again.toString());
        assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id));
        assertEquals(VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND applied", id));
        homeLedgerMatches(2);
    }

    @Test
    @Order(8)
    void noPasswordInAnyAnswerOrLogLine() {
        String everything = String.join("\n", answers) + "\n" + log.text();
        for (String password : PASSWORDS) {
            assertFalse(everything.contains(password), "a password leaked");
        }
        assertFalse(answers.isEmpty());
    }
}
