package io.flotilla.api;

import io.flotilla.security.Role;
import io.flotilla.server.ServerCheckJob;
import io.quarkus.arc.Arc;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.LogCapture;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /api/v1/servers end to end against two real extra PostgreSQL servers that ask for passwords: one read from an
 * environment variable of the JVM (set by surefire), one from a file. Ordered: the first test registers both.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerResourceTest {

    static final String ENV = "FLOTILLA_TEST_SERVER_PASSWORD";
    static final String FILE_PASSWORD = "file-secret-" + UUID.randomUUID();
    static final String WRONG_PASSWORD = "wrong-secret-" + UUID.randomUUID();

    static ExtraServers extra;
    static LogCapture log;
    static Path passwordFile;
    static Path wrongPasswordFile;
    static final String A = Sql.unique("srv_a");
    static final String B = Sql.unique("srv_b");
    /** Every answer the tests got, to look for a password in. */
    static final List<String> answers = new ArrayList<>();

    @Inject
    DataSource ds;

    @Inject
    ServerCheckJob checks;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String homeUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String homeUser;

    @BeforeAll
    static void start() throws IOException {
        String envPassword = System.getenv(ENV);
        assertNotNull(envPassword, ENV + " must be set for the test JVM (pom.xml, surefire)");
        extra = ExtraServers.start(envPassword, FILE_PASSWORD);
        passwordFile = Files.createTempFile("flotilla-server-password", ".txt");
        Files.writeString(passwordFile, FILE_PASSWORD + "\n");
        wrongPasswordFile = Files.createTempFile("flotilla-server-wrong", ".txt");
        Files.writeString(wrongPasswordFile, WRONG_PASSWORD);
        log = LogCapture.install();
    }

    @AfterAll
    static void stop() throws IOException {
        // The extra servers are gone after this class: their rows would only be warned about by later checks.
        Sql.execute(Arc.container().instance(DataSource.class).get(),
                "DELETE FROM public.tenant_servers WHERE name IN (?, ?)", A, B);
        if (log != null) {
            log.close();
        }
        if (extra != null) {
            extra.close();
        }
        Files.deleteIfExists(passwordFile);
        Files.deleteIfExists(wrongPasswordFile);
    }

    static Map<String, Object> server(String name, int port, Map<String, String> passwordFrom) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "host", "127.0.0.1", "port", port,
                "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "connectionBudget", 3));
        if (passwordFrom != null) {
            body.put("passwordFrom", passwordFrom);
        }
        return body;
    }

    static Response post(Object body) {
        Response r = given().contentType(ContentType.JSON).body(body).when().post("/api/v1/servers");
        answers.add(r.asString());
        return r;
    }

    static Response patch(String name, Object body) {
        Response r = given().contentType(ContentType.JSON).body(body).when().patch("/api/v1/servers/" + name);
        answers.add(r.asString());
        return r;
    }

    @Test
    @Order(1)
    void registersServersWithPasswordsFromEnvironmentAndFile() {
        post(server(A, extra.port(0), Map.of("env", ENV))).then().statusCode(201)
                .header("Location", endsWith("/api/v1/servers/" + A))
                .body("name", equalTo(A)).body("state", equalTo("active")).body("tlsMode", equalTo("prefer"))
                .body("passwordFrom.env", equalTo(ENV)).body("passwordFrom.file", nullValue())
                .body("connectionBudget", equalTo(3)).body("reachable", equalTo(true))
                .body("version", notNullValue()).body("extensions", hasItem("plpgsql"))
                .body("companies", equalTo(0));
        post(server(B, extra.port(1), Map.of("file", passwordFile.toString()))).then().statusCode(201)
                .body("passwordFrom.file", equalTo(passwordFile.toString())).body("passwordFrom.env", nullValue());

        // What the API says is what the server says.
        String version = extra.column(0, "SHOW server_version").get(0);
        given().when().get("/api/v1/servers/" + A).then().statusCode(200).body("version", equalTo(version));
        // Flotilla's tables are on both servers.
        for (int i = 0; i < 2; i++) {
            List<String> tables = extra.column(i, "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name");
            assertTrue(tables.containsAll(List.of("flotilla_schema_history", "migration_ledger", "migration_state")),
                    tables.toString());
        }
    }

    @Test
    @Order(2)
    void listsEveryServerWithCompanyCounts() {
        // Two companies on A (one active and pending, one whose last step failed), one deleted (not counted).
        UUID pending = UUID.randomUUID(), failed = UUID.randomUUID(), deleted = UUID.randomUUID();
        for (UUID id : List.of(pending, failed, deleted)) {
            Sql.execute(ds, "INSERT INTO public.companies (id, company_name, schema_name, server) VALUES (?, ?, ?, ?)",
                    id, "Co " + id, Sql.unique("srvco"), A);
        }
        Sql.execute(ds, "UPDATE public.companies SET deleted_at = now() WHERE id = ?", deleted);
        Sql.execute(ds, "INSERT INTO public.migration_state (company_id, version_key, version, applied, failed, error,"
                + " ledger_id) VALUES (?, '{1}', '1', false, true, 'boom', 0)", failed);
        try {
            checks.check().await().atMost(java.time.Duration.ofSeconds(30));
            Response list = given().when().get("/api/v1/servers");
            answers.add(list.asString());
            list.then().statusCode(200).body("[0].name", equalTo("home"))
                    .body("[0].host", nullValue()).body("[0].reachable", equalTo(true))
                    .body("[0].passwordFrom", nullValue()).body("[0].tlsMode", nullValue());
            List<Map<String, Object>> servers = list.jsonPath().getList("$");
            Map<String, Object> a = byName(servers, A), b = byName(servers, B);
            assertEquals(2, a.get("companies"), a.toString());
            assertEquals(2, a.get("pending"), a.toString());
            assertEquals(1, a.get("failed"), a.toString());
            assertEquals(0, b.get("companies"), b.toString());
            assertEquals(Map.of("env", ENV), a.get("passwordFrom"));
            assertEquals(true, a.get("reachable"), a.toString());
            assertNotNull(a.get("lastCheckedAt"), a.toString());
            assertTrue(((List<?>) b.get("extensions")).contains("plpgsql"), b.toString());
        } finally {
            Sql.execute(ds, "DELETE FROM public.migration_state WHERE company_id = ?", failed);
            Sql.execute(ds, "DELETE FROM public.companies WHERE id IN (?, ?, ?)", pending, failed, deleted);
        }
    }

    private static Map<String, Object> byName(List<Map<String, Object>> servers, String name) {
        return servers.stream().filter(s -> name.equals(s.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not listed: " + servers));
    }

    @Test
    @Order(3)
    void refusesInvalidDefinitionsNamingTheField() {
        String n = Sql.unique("srv_bad");
        Map<String, Map<String, Object>> cases = new java.util.LinkedHashMap<>();
        cases.put("name", server("Bad Name", extra.port(0), null));
        cases.put("connectionBudget", with(server(n, extra.port(0), null), "connectionBudget", 0));
        cases.put("tlsMode", with(server(n, extra.port(0), null), "tlsMode", "sometimes"));
        cases.put("port", with(server(n, extra.port(0), null), "port", 70000));
        cases.put("host", with(server(n, extra.port(0), null), "host", "db/x?sslmode=disable"));
        cases.put("passwordFrom.env", server(n, extra.port(0), Map.of("env", "1NOT-A-NAME")));
        cases.put("passwordFrom.file", server(n, extra.port(0), Map.of("file", "relative/path")));
        cases.put("passwordFrom", server(n, extra.port(0), Map.of("env", ENV, "file", passwordFile.toString())));
        Map<String, Object> noBudget = server(n, extra.port(0), null);
        noBudget.remove("connectionBudget");
        cases.put("connectionBudget ", noBudget);
        cases.forEach((field, body) -> post(body).then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:flotilla:problem:invalid-server")).body("field", equalTo(field.strip())));
        given().when().get("/api/v1/servers/" + n).then().statusCode(404)
                .body("type", equalTo("urn:flotilla:problem:server-not-found"));
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        body.put(key, value);
        return body;
    }

    @Test
    @Order(4)
    void refusesATakenNameAndTheControlPlanesOwnDatabase() {
        post(server(A, extra.port(1), Map.of("file", passwordFile.toString()))).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:server-name-taken"));
        post(server("home", extra.port(1), null)).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:server-name-taken"));

        URI home = URI.create(homeUrl);
        Map<String, Object> own = new HashMap<>(Map.of("name", Sql.unique("srv_home"), "host", home.getHost(),
                "port", home.getPort() < 0 ? 5432 : home.getPort(), "database", home.getPath().substring(1),
                "user", homeUser, "connectionBudget", 2));
        String password = System.getenv("DB_PASSWORD");
        if (password != null && !password.isEmpty()) {
            own.put("passwordFrom", Map.of("env", "DB_PASSWORD"));
        }
        post(own).then().statusCode(409).body("type", equalTo("urn:flotilla:problem:server-is-home"));
        given().when().get("/api/v1/servers/" + own.get("name")).then().statusCode(404);
    }

    @Test
    @Order(5)
    void refusesAServerThatDoesNotAnswerOrRefusesTheLogin() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        String n = Sql.unique("srv_down");
        post(server(n, closed, Map.of("env", ENV))).then().statusCode(422)
                .body("type", equalTo("urn:flotilla:problem:server-unreachable"))
                .body("detail", containsString(String.valueOf(closed)));
        post(server(n, extra.port(1), Map.of("file", wrongPasswordFile.toString()))).then().statusCode(422)
                .body("type", equalTo("urn:flotilla:problem:server-unreachable"))
                .body("detail", containsString("password authentication failed"))
                .body("detail", not(containsString(WRONG_PASSWORD)));
        post(server(n, extra.port(1), Map.of("env", "FLOTILLA_TEST_NO_SUCH_VARIABLE"))).then().statusCode(422)
                .body("type", equalTo("urn:flotilla:problem:server-credentials"))
                .body("detail", containsString("FLOTILLA_TEST_NO_SUCH_VARIABLE"));
        post(server(n, extra.port(1), Map.of("file", "/nonexistent/flotilla/password"))).then().statusCode(422)
                .body("type", equalTo("urn:flotilla:problem:server-credentials"))
                .body("detail", containsString("/nonexistent/flotilla/password"));
        given().when().get("/api/v1/servers/" + n).then().statusCode(404);
    }

    @Test
    @Order(6)
    void changesAreForAdminsOnly() {
        String operator = "Bearer " + TestTokens.token(Role.OPERATOR);
        String viewer = "Bearer " + TestTokens.token(Role.VIEWER);
        given().header("Authorization", operator).contentType(ContentType.JSON)
                .body(server(Sql.unique("srv_op"), extra.port(1), Map.of("file", passwordFile.toString())))
                .when().post("/api/v1/servers").then().statusCode(403).contentType("application/problem+json");
        given().header("Authorization", operator).contentType(ContentType.JSON).body(Map.of("state", "draining"))
                .when().patch("/api/v1/servers/" + A).then().statusCode(403);
        given().header("Authorization", viewer).when().get("/api/v1/servers").then().statusCode(200);
        given().header("Authorization", viewer).when().get("/api/v1/servers/" + A).then().statusCode(200)
                .body("state", equalTo("active"));
    }

    @Test
    @Order(7)
    void patchesStateAndBudget() {
        patch(A, Map.of("state", "draining")).then().statusCode(200).body("state", equalTo("draining"));
        patch(A, Map.of("state", "offline", "connectionBudget", 5, "schemaCapacity", 100)).then().statusCode(200)
                .body("state", equalTo("offline")).body("connectionBudget", equalTo(5))
                .body("schemaCapacity", equalTo(100));
        assertEquals("offline", Sql.column(ds, "SELECT state FROM public.tenant_servers WHERE name = ?", A).get(0));
        patch(A, Map.of("state", "active")).then().statusCode(200).body("state", equalTo("active"))
                .body("connectionBudget", equalTo(5));

        patch("home", Map.of("state", "offline")).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:server-state"));
        patch("home", Map.of("state", "draining")).then().statusCode(200).body("state", equalTo("draining"));
        patch("home", Map.of("state", "active")).then().statusCode(200).body("state", equalTo("active"));

        patch(A, Map.of()).then().statusCode(400).body("type", equalTo("urn:flotilla:problem:invalid-server"));
        patch(A, Map.of("state", "gone")).then().statusCode(400).body("field", equalTo("state"));
        patch(A, Map.of("connectionBudget", 0)).then().statusCode(400).body("field", equalTo("connectionBudget"));
        patch(Sql.unique("srv_none"), Map.of("state", "draining")).then().statusCode(404)
                .body("type", equalTo("urn:flotilla:problem:server-not-found"));
    }

    @Test
    @Order(8)
    void noPasswordInAnyAnswerOrLogLine() {
        Response list = given().when().get("/api/v1/servers");
        answers.add(list.asString());
        answers.add(given().when().get("/api/v1/servers/" + A).asString());
        answers.add(given().when().get("/api/v1/servers/" + B).asString());
        String envPassword = System.getenv(ENV);
        String logged = log.text();
        assertTrue(logged.contains("Server " + A + " registered"), "the capture works: " + logged);
        for (String secret : List.of(envPassword, FILE_PASSWORD, WRONG_PASSWORD)) {
            for (String answer : answers) {
                assertFalse(answer.contains(secret), "a password in an answer: " + answer);
            }
            assertFalse(logged.contains(secret), "a password in the log");
        }
        assertTrue(answers.size() > 20, "answers seen: " + answers.size());
    }
}
