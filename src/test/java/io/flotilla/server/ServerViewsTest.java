package io.flotilla.server;

import io.flotilla.monitoring.GaugeRefreshJob;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The views per server, with two more PostgreSQL servers: the ledger's {@code server} field and filter, the fleet's
 * per-server summary and filter (a stopped server reported unreachable with its error), the monitoring endpoints
 * read on the server asked for, and the per-server gauges. Ordered: the first test registers the servers and
 * onboards a company on each; the last one stops a server.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerViewsTest {

    static final int VERSIONS = 7;
    static final String[] PASSWORDS = {"pw-a-" + UUID.randomUUID(), "pw-b-" + UUID.randomUUID()};
    static final String[] NAMES = {Sql.unique("view_a"), Sql.unique("view_b")};

    static ExtraServers extra;
    /** One active company per extra server, and their schemas. */
    static final String[] IDS = new String[2];
    static final String[] SCHEMAS = new String[2];

    @Inject
    DataSource ds;

    @Inject
    ServerCheckJob checks;

    @Inject
    GaugeRefreshJob gauges;

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

    static String onboard(String schema, String server) {
        Map<String, Object> body = new HashMap<>(Map.of("companyName", "Co " + schema, "schemaName", schema,
                "status", "active"));
        if (server != null) {
            body.put("server", server);
        }
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies")
                .then().statusCode(201).extract().path("id");
    }

    static void badServer(String path) {
        given().queryParam("server", "no_such_server").when().get(path).then().statusCode(400)
                .contentType("application/problem+json").body("server", equalTo("no_such_server"))
                .body("detail", containsString("no_such_server"));
    }

    @Test
    @Order(1)
    void registersTwoServersWithACompanyOnEach() {
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body(Map.of("name", NAMES[i], "host", "127.0.0.1",
                            "port", extra.port(i), "database", ExtraServers.DATABASE, "user", ExtraServers.USER,
                            "connectionBudget", 4, "passwordFrom", Map.of("file", extra.passwordFile(i).toString())))
                    .when().post("/api/v1/servers").then().statusCode(201);
            SCHEMAS[i] = Sql.unique("sv");
            IDS[i] = onboard(SCHEMAS[i], NAMES[i]);
        }
        onboard(Sql.unique("sv_home"), "home");
    }

    @Test
    @Order(2)
    void ledgerEntriesCarryTheirServerAndFilterByIt() {
        // Every step of the company on the first server, and only those: filtered by server, each says so.
        JsonPath page = given().queryParam("server", NAMES[0]).queryParam("limit", 1000).when().get("/api/v1/ledger")
                .then().statusCode(200).extract().jsonPath();
        List<String> servers = page.getList("items.server");
        List<String> companies = page.getList("items.companyId");
        assertEquals(VERSIONS, servers.size(), servers.toString());
        assertTrue(servers.stream().allMatch(NAMES[0]::equals), servers.toString());
        assertTrue(companies.stream().allMatch(IDS[0]::equals), companies.toString());
        // Unfiltered, the same company's steps carry the server too; home's steps say home.
        List<String> ofCompany = given().queryParam("companyId", IDS[1]).when().get("/api/v1/ledger")
                .then().statusCode(200).extract().jsonPath().getList("items.server");
        assertEquals(VERSIONS, ofCompany.size());
        assertTrue(ofCompany.stream().allMatch(NAMES[1]::equals), ofCompany.toString());
        List<String> home = given().queryParam("server", "home").queryParam("limit", 1000).when().get("/api/v1/ledger")
                .then().statusCode(200).extract().jsonPath().getList("items.server");
        assertTrue(home.size() >= VERSIONS, home.toString());
        assertTrue(home.stream().allMatch("home"::equals), home.toString());
        // Combined with another filter, both apply.
        assertEquals(0, given().queryParam("server", NAMES[0]).queryParam("companyId", IDS[1])
                .when().get("/api/v1/ledger").then().statusCode(200).extract().jsonPath().getList("items").size());
        badServer("/api/v1/ledger");
        // A name that could be SQL is only ever a value: refused as unknown, nothing else.
        given().queryParam("server", "x' OR '1'='1").when().get("/api/v1/ledger").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    @Order(3)
    void fleetSummarisesEveryServerAndFiltersByOne() {
        JsonPath fleet = given().when().get("/api/v1/fleet").then().statusCode(200).extract().jsonPath();
        List<String> names = fleet.getList("servers.server");
        assertEquals("home", names.get(0), names.toString());
        assertTrue(names.containsAll(List.of(NAMES[0], NAMES[1])), names.toString());
        assertNull(fleet.getString("server"));
        // The summaries add up to the fleet's counts.
        for (String count : List.of("companies", "upToDate", "pending", "failed", "drifted")) {
            long sum = fleet.getList("servers." + count, Long.class).stream().mapToLong(Long::longValue).sum();
            assertEquals(fleet.getLong(count), sum, count);
        }
        for (String name : NAMES) {
            Map<String, Object> s = summary(fleet, name);
            assertEquals(1, s.get("companies"), s.toString());
            assertEquals(1, s.get("upToDate"), s.toString());
            assertEquals(0, s.get("pending"), s.toString());
            assertEquals("active", s.get("state"), s.toString());
        }

        // Filtered: the fleet is that server's companies, and the summary that server's alone.
        JsonPath one = given().queryParam("server", NAMES[1]).when().get("/api/v1/fleet")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(NAMES[1], one.getString("server"));
        assertEquals(1, one.getLong("companies"));
        assertEquals(1, one.getLong("upToDate"));
        assertEquals(List.of(NAMES[1]), one.getList("servers.server"));
        assertEquals(List.of(String.valueOf(VERSIONS)), one.getList("versions.version"));
        // A company made pending on the first server (its state reset to nothing applied) counts there only.
        Sql.execute(ds, "UPDATE public.migration_state SET applied = false WHERE company_id = ?::uuid"
                + " AND version = ?", IDS[0], String.valueOf(VERSIONS));
        try {
            JsonPath after = given().when().get("/api/v1/fleet").then().statusCode(200).extract().jsonPath();
            assertEquals(1, summary(after, NAMES[0]).get("pending"));
            assertEquals(0, summary(after, NAMES[1]).get("pending"));
            assertEquals(1L, given().queryParam("server", NAMES[0]).when().get("/api/v1/fleet")
                    .then().statusCode(200).extract().jsonPath().getLong("pending"));
        } finally {
            Sql.execute(ds, "UPDATE public.migration_state SET applied = true WHERE company_id = ?::uuid"
                    + " AND version = ?", IDS[0], String.valueOf(VERSIONS));
        }
        badServer("/api/v1/fleet");
    }

    static Map<String, Object> summary(JsonPath fleet, String server) {
        Map<String, Object> s = fleet.getMap("servers.find { it.server == '" + server + "' }");
        assertNotNull(s, server + " not in " + fleet.prettify());
        return s;
    }

    @Test
    @Order(4)
    void monitoringReadsTheServerAskedFor() {
        // Tables: on the first server, its company's schema and nothing else; at home, never that schema.
        JsonPath tables = given().queryParam("server", NAMES[0]).queryParam("size", 500)
                .when().get("/api/v1/monitoring/tables").then().statusCode(200).extract().jsonPath();
        List<String> schemas = tables.getList("items.schemaName");
        assertFalse(schemas.isEmpty());
        assertTrue(schemas.stream().allMatch(SCHEMAS[0]::equals), schemas.toString());
        assertEquals(schemas.size(), tables.getInt("total"));
        assertTrue(tables.getList("items.tableName").contains("conversations"), schemas.toString());
        assertEquals(IDS[0], tables.getString("items[0].companyId"));
        List<String> homeSchemas = given().queryParam("size", 500).when().get("/api/v1/monitoring/tables")
                .then().statusCode(200).extract().jsonPath().getList("items.schemaName");
        assertFalse(homeSchemas.contains(SCHEMAS[0]) || homeSchemas.contains(SCHEMAS[1]), homeSchemas.toString());
        // With a company of another server, nothing: the filter is within the server.
        assertEquals(0, given().queryParam("server", NAMES[0]).queryParam("companyId", IDS[1])
                .when().get("/api/v1/monitoring/tables").then().statusCode(200).extract().jsonPath().getInt("total"));

        List<String> indexSchemas = given().queryParam("server", NAMES[1]).queryParam("size", 500)
                .when().get("/api/v1/monitoring/indexes").then().statusCode(200).extract().jsonPath()
                .getList("items.schemaName");
        assertFalse(indexSchemas.isEmpty());
        assertTrue(indexSchemas.stream().allMatch(SCHEMAS[1]::equals), indexSchemas.toString());

        // Sessions on that server: the service's own pool there (application name flotilla) is among them.
        JsonPath sessions = given().queryParam("server", NAMES[1]).when().get("/api/v1/monitoring/connections")
                .then().statusCode(200).extract().jsonPath();
        assertTrue(sessions.getInt("total") >= 1, sessions.prettify());

        badServer("/api/v1/monitoring/tables");
        badServer("/api/v1/monitoring/indexes");
        badServer("/api/v1/monitoring/connections");
    }

    @Test
    @Order(5)
    void gaugesAreTaggedByServer() {
        checks.check().await().atMost(Duration.ofSeconds(30));
        gauges.refresh().await().atMost(Duration.ofSeconds(60));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : NAMES) {
            assertEquals(1.0, value(metrics, "flotilla_server_companies", name), name);
            assertEquals(0.0, value(metrics, "flotilla_server_companies_pending", name), name);
            assertEquals(0.0, value(metrics, "flotilla_server_companies_failed", name), name);
            assertEquals(1.0, value(metrics, "flotilla_server_reachable", name), name);
        }
        assertTrue(value(metrics, "flotilla_server_companies", "home") >= 1);
    }

    @Test
    @Order(6)
    void aStoppedServerIsReportedUnreachableWithItsError() {
        extra.stopImmediately(1);
        checks.check().await().atMost(Duration.ofSeconds(60));
        JsonPath fleet = given().when().get("/api/v1/fleet").then().statusCode(200).extract().jsonPath();
        Map<String, Object> down = summary(fleet, NAMES[1]);
        assertEquals(false, down.get("reachable"), down.toString());
        assertTrue(down.get("lastError") instanceof String error && !error.isBlank(), down.toString());
        assertNotNull(down.get("lastCheckedAt"));
        // Its companies are still counted (from home's copy), and the other server is unaffected.
        assertEquals(1, down.get("companies"), down.toString());
        assertEquals(true, summary(fleet, NAMES[0]).get("reachable"));
        assertEquals(List.of(false), given().queryParam("server", NAMES[1]).when().get("/api/v1/fleet")
                .then().statusCode(200).extract().jsonPath().getList("servers.reachable"));
        // Monitoring that server: a 503 naming it, not a 500; the other server still answers.
        for (String path : List.of("tables", "indexes", "connections")) {
            given().queryParam("server", NAMES[1]).when().get("/api/v1/monitoring/" + path).then().statusCode(503)
                    .contentType("application/problem+json").body("server", equalTo(NAMES[1]));
        }
        given().queryParam("server", NAMES[0]).when().get("/api/v1/monitoring/connections").then().statusCode(200);

        gauges.refresh().await().atMost(Duration.ofSeconds(60));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(0.0, value(metrics, "flotilla_server_reachable", NAMES[1]));
        assertEquals(1.0, value(metrics, "flotilla_server_reachable", NAMES[0]));
        assertEquals(1.0, value(metrics, "flotilla_server_companies", NAMES[1]));
    }

    /** The sample value of a per-server series. */
    static double value(String metrics, String name, String server) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{server=\"" + Pattern.quote(server) + "\"} (\\S+)",
                Pattern.MULTILINE).matcher(metrics);
        assertTrue(m.find(), name + "{server=" + server + "} not in\n" + metrics.lines()
                .filter(l -> l.startsWith("flotilla_server")).toList());
        return Double.parseDouble(m.group(1));
    }
}
