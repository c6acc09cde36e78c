package io.flotilla.server;

import io.flotilla.catalog.MigrationResolver;
import io.flotilla.maintenance.MaintenanceCatalog;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.flotilla.verification.LintReport;
import io.flotilla.verification.LintService;
import io.flotilla.verification.ServerExtensions;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything besides migrating, done on the server that holds the company's schema: maintenance (an offline server's
 * companies skipped, not failed), verification, the lint's extension preflight, drift by server and the stale-step
 * janitor on a server's own ledger. Two extra servers: {@code ONE} active, {@code OFF} set offline after onboarding.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerServerWorkTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String[] PASSWORDS = {"pw-ps-one-" + UUID.randomUUID(), "pw-ps-off-" + UUID.randomUUID()};
    static final String ONE = Sql.unique("psone");
    static final String OFF = Sql.unique("psoff");
    static final String[] NAMES = {ONE, OFF};

    static ExtraServers extra;
    // [id, schema] of a company at home, on ONE, on OFF
    static String[] home;
    static String[] onOne;
    static String[] onOff;

    @Inject
    DataSource ds;

    @Inject
    StaleStepJanitor janitor;

    @Inject
    LedgerReconciliation reconciliation;

    @Inject
    LintService lint;

    @BeforeAll
    static void start() throws IOException {
        TestTokens.useAdminByDefault();
        extra = ExtraServers.start(PASSWORDS);
    }

    @AfterAll
    static void stop() throws IOException {
        ExtraServers.forget(Arc.container().instance(DataSource.class).get(), NAMES);
        if (extra != null) {
            extra.close();
        }
    }

    static String[] onboard(String server) {
        String schema = Sql.unique("psw");
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Co " + schema, "schemaName", schema, "server", server))
                .post("/api/v1/companies").then().statusCode(201).body("server", equalTo(server)).extract().path("id");
        return new String[]{id, schema};
    }

    void onServer(int i, String sql, Object... params) {
        try (Connection c = extra.connect(i); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int p = 0; p < params.length; p++) {
                ps.setObject(p + 1, params[p]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Test
    @Order(1)
    void registersTwoServersAndOnboardsACompanyOnEachAndAtHome() {
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body(Map.of("name", NAMES[i], "host", "127.0.0.1",
                            "port", extra.port(i), "database", ExtraServers.DATABASE, "user", ExtraServers.USER,
                            "connectionBudget", 4, "passwordFrom", Map.of("file", extra.passwordFile(i).toString())))
                    .post("/api/v1/servers").then().statusCode(201);
        }
        home = onboard("home");
        onOne = onboard(ONE);
        onOff = onboard(OFF);
        given().contentType(ContentType.JSON).body(Map.of("state", "offline")).patch("/api/v1/servers/" + OFF)
                .then().statusCode(200);
    }

    @Test
    @Order(2)
    void maintenanceRunsEachCompanyOnItsServerAndSkipsTheOfflineOnesCompany() {
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("companyIds", List.of(home[0], onOne[0], onOff[0])))
                .post("/api/v1/maintenance/jobs/{job}/run", MaintenanceCatalog.VACUUM)
                .then().statusCode(202).extract().path("id");
        Await.until("run " + id, () -> List.of("succeeded", "failed")
                .contains(given().get("/api/v1/maintenance/runs/{id}", id).<String>path("state")));
        Response run = given().get("/api/v1/maintenance/runs/{id}", id);
        // Skipped is not failed: the run succeeds, and says which company was left alone and why.
        run.then().statusCode(200).body("state", equalTo("succeeded")).body("companies", equalTo(3))
                .body("succeeded", equalTo(2)).body("failed", equalTo(0)).body("skipped", equalTo(1));
        Map<String, String> serverOf = new TreeMap<>();
        Map<String, String> statusOf = new TreeMap<>();
        List<Map<String, Object>> steps = run.path("steps");
        for (Map<String, Object> step : steps) {
            serverOf.put((String) step.get("schemaName"), (String) step.get("server"));
            statusOf.put((String) step.get("schemaName"), (String) step.get("status"));
        }
        assertEquals(Map.of(home[1], "home", onOne[1], ONE, onOff[1], OFF), serverOf);
        assertEquals(Map.of(home[1], "succeeded", onOne[1], "succeeded", onOff[1], "skipped"), statusOf);
        run.then().body("steps.find { it.status == 'skipped' }.detail", containsString("offline"))
                .body("steps.find { it.schemaName == '" + onOne[1] + "' }.detail", startsWith("vacuumed and analyzed"));
        // It really ran there: the server's statistics show the vacuum of the company's tables (they reach the
        // statistics a moment after the vacuum ends).
        Await.until("vacuum of " + onOne[1] + " in " + ONE + "'s statistics", () -> !extra.column(0,
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = ? AND last_vacuum IS NOT NULL", onOne[1]).isEmpty());
    }

    @Test
    @Order(3)
    void verifyBuildsAndInspectsOnTheCompanysServerAndSeesAHandMadeTableThere() throws SQLException {
        given().get("/api/v1/companies/{id}/verify", onOne[0]).then().statusCode(200)
                .body("ok", equalTo(true)).body("expectedTables", hasItem("conversations"));
        // No scratch schema left behind on that server.
        assertEquals(List.of(), extra.column(0, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'flotilla\\_scratch\\_%'"));
        try (Connection c = extra.connect(0); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + onOne[1] + ".hand_made (id int)");
        }
        given().get("/api/v1/companies/{id}/verify", onOne[0]).then().statusCode(200)
                .body("ok", equalTo(false)).body("extraTables", equalTo(List.of("hand_made")));
        // The offline server's company cannot be verified now: 503, not a wrong answer.
        given().get("/api/v1/companies/{id}/verify", onOff[0]).then().statusCode(503)
                .contentType("application/problem+json");
    }

    @Test
    @Order(4)
    void lintAsksEveryServerNotOfflineForTheRequiredExtensions() throws IOException {
        Path dir = Files.createTempDirectory("flotilla-perserver-lint");
        Files.writeString(dir.resolve("001_t.sql"), "-- flotilla:requires-extension plpgsql\n"
                + "-- flotilla:requires-extension no_such_extension_here\n"
                + "CREATE TABLE t (tenant_id uuid NOT NULL PRIMARY KEY);\n"
                + "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
                + "CREATE POLICY t_tenant ON t USING (tenant_id = current_setting('app.tenant_id')::uuid);\n");
        LintReport report = lint.lint(MigrationResolver.resolve(dir, true).orThrow()).await().atMost(WAIT);
        Map<String, List<String>> missing = new TreeMap<>();
        for (ServerExtensions s : report.servers()) {
            missing.put(s.server(), s.missing());
        }
        assertEquals(List.of("no_such_extension_here"), missing.get("home"), report.servers().toString());
        assertEquals(List.of("no_such_extension_here"), missing.get(ONE), report.servers().toString());
        assertFalse(missing.containsKey(OFF), "an offline server is not asked");
        assertFalse(report.ok(), "a server lacking a required extension fails the lint");
    }

    @Test
    @Order(5)
    void driftCarriesTheServerAndFiltersByIt() {
        String version = Sql.column(ds, "SELECT version FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND applied ORDER BY version_key LIMIT 1", onOne[0]).get(0);
        String checksum = Sql.column(ds, "SELECT checksum FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND version = ?", onOne[0], version).get(0);
        Sql.execute(ds, "UPDATE public.migration_state SET checksum = repeat('0', 64) WHERE company_id = ?::uuid"
                + " AND version = ?", onOne[0], version);
        try {
            given().queryParam("server", ONE).get("/api/v1/drift").then().statusCode(200)
                    .body("companyId", equalTo(List.of(onOne[0]))).body("[0].server", equalTo(ONE))
                    .body("[0].versions", equalTo(List.of(version)));
            given().queryParam("server", "home").get("/api/v1/drift").then().statusCode(200)
                    .body("companyId", not(hasItem(onOne[0]))).body("server", not(hasItem(ONE)));
            given().get("/api/v1/drift").then().statusCode(200)
                    .body("find { it.companyId == '" + onOne[0] + "' }.server", equalTo(ONE));
            given().queryParam("server", "no-such-server").get("/api/v1/drift").then().statusCode(400)
                    .contentType("application/problem+json").body("detail", containsString("no-such-server"));
        } finally {
            Sql.execute(ds, "UPDATE public.migration_state SET checksum = ? WHERE company_id = ?::uuid AND version = ?",
                    checksum, onOne[0], version);
        }
    }

    @Test
    @Order(6)
    void theJanitorClosesAStaleRunningRowOnAServerAndTheHomeCopyFollows() {
        // A non-transactional step a process that died left running on ONE, already copied home as running.
        onServer(0, "INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key, name,"
                + " script, direction, status, checksum, transactional, executed_by) VALUES (?::uuid, ?::uuid, ?,"
                + " '99.0', '{99,0}', 'dead step', '099_dead.sql', 'up', 'running', repeat('a', 64), false, 'gone-host')",
                UUID.randomUUID().toString(), onOne[0], onOne[1]);
        long stepId = Long.parseLong(extra.column(0, "SELECT max(id) FROM public.migration_ledger").get(0));
        reconciliation.reconcile().await().atMost(WAIT);
        assertEquals(List.of("running"), Sql.column(ds, "SELECT status FROM public.migration_ledger WHERE server = ?"
                + " AND server_step_id = ?", ONE, stepId));

        janitor.sweep().await().atMost(WAIT);

        assertEquals(List.of("failed"), extra.column(0, "SELECT status FROM public.migration_ledger WHERE id = ?", stepId));
        List<String> homeCopy = Sql.column(ds, "SELECT status || ':' || error FROM public.migration_ledger"
                + " WHERE server = ? AND server_step_id = ?", ONE, stepId);
        assertEquals(1, homeCopy.size());
        assertTrue(homeCopy.get(0).startsWith("failed:interrupted"), homeCopy.toString());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE server = ? AND status = 'running'",
                ONE));
    }

    @Test
    @Order(7)
    void aServerThatCannotBeReachedHasItsCompaniesSkippedWithTheReasonAndTheRunGoesOn() {
        given().contentType(ContentType.JSON).body(Map.of("state", "active")).patch("/api/v1/servers/" + OFF)
                .then().statusCode(200);
        extra.stopImmediately(1);
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("companyIds", List.of(onOff[0], onOne[0])))
                .post("/api/v1/maintenance/jobs/{job}/run", MaintenanceCatalog.REFRESH)
                .then().statusCode(202).extract().path("id");
        Await.until("run " + id, () -> List.of("succeeded", "failed")
                .contains(given().get("/api/v1/maintenance/runs/{id}", id).<String>path("state")));
        given().get("/api/v1/maintenance/runs/{id}", id).then().statusCode(200)
                .body("state", equalTo("succeeded")).body("succeeded", equalTo(1)).body("skipped", equalTo(1))
                .body("steps.find { it.schemaName == '" + onOff[1] + "' }.status", equalTo("skipped"))
                .body("steps.find { it.schemaName == '" + onOff[1] + "' }.server", equalTo(OFF))
                .body("steps.find { it.schemaName == '" + onOff[1] + "' }.detail", containsString("could not be reached"))
                .body("steps.find { it.schemaName == '" + onOne[1] + "' }.status", equalTo("succeeded"));
    }
}
