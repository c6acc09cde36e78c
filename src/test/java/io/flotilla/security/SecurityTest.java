package io.flotilla.security;

import io.flotilla.cli.FlotillaCli;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.RawHttp;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each role against each kind of endpoint, and the tokens that must not get in. Plain HTTP, no default token. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SecurityTest {


    @TestHTTPResource("/")
    URI base;

    @Inject
    DataSource ds;

    HttpResponse<String> call(String method, String path, String token, String json) throws Exception {
        return RawHttp.call(base, method, path, token, json);
    }

    String company(String token) throws Exception {
        String schema = Sql.unique("sec");
        HttpResponse<String> r = call("POST", "/api/v1/companies", token,
                "{\"companyName\": \"Sec " + schema + "\", \"schemaName\": \"" + schema + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return r.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
    }

    @Test
    void withoutAValidTokenTheApiIs401AsProblemJson() throws Exception {
        for (String token : new String[]{null, "not-a-jwt",
                TestTokens.sign(TestTokens.OTHER_PRIVATE_KEY, Role.ADMIN, Duration.ofHours(1)),
                TestTokens.sign(TestTokens.PRIVATE_KEY, Role.ADMIN, Duration.ofSeconds(-120))}) {
            HttpResponse<String> r = call("GET", "/api/v1/companies", token, null);
            assertEquals(401, r.statusCode(), "token " + token + ": " + r.body());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        }
        long companies = Sql.count(ds, "SELECT count(*) FROM public.companies");
        assertEquals(401, call("POST", "/api/v1/companies", null, "{\"companyName\": \"X\", \"schemaName\": \"x_sec\"}").statusCode());
        assertEquals(companies, Sql.count(ds, "SELECT count(*) FROM public.companies"), "a refused call changes nothing");
    }

    @Test
    void viewersReadOperatorsChangeAdminsDestroy() throws Exception {
        String viewer = TestTokens.token(Role.VIEWER);
        String operator = TestTokens.token(Role.OPERATOR);
        String admin = TestTokens.token(Role.ADMIN);
        String id = company(operator);

        for (String path : new String[]{"/api/v1/companies", "/api/v1/companies/" + id, "/api/v1/migrations",
                "/api/v1/ledger", "/api/v1/rollouts", "/api/v1/fleet", "/api/v1/maintenance/jobs"}) {
            assertEquals(200, call("GET", path, viewer, null).statusCode(), path);
        }
        // Viewers change nothing.
        HttpResponse<String> denied = call("POST", "/api/v1/companies", viewer, "{\"companyName\": \"V\", \"schemaName\": \"v_sec\"}");
        assertEquals(403, denied.statusCode(), denied.body());
        assertTrue(denied.body().contains("\"status\":403"), denied.body());
        assertEquals(403, call("PATCH", "/api/v1/companies/" + id, viewer, "{\"status\": \"active\"}").statusCode());
        assertEquals(403, call("POST", "/api/v1/rollouts", viewer, "{\"dryRun\": true}").statusCode());
        assertEquals(403, call("POST", "/api/v1/maintenance/jobs/vacuum-analyze/run", viewer, null).statusCode());
        // Operators onboard, change, plan and roll out, but neither offboard nor roll back.
        assertEquals(200, call("PATCH", "/api/v1/companies/" + id, operator, "{\"settings\": {\"x\": 1}}").statusCode());
        assertEquals(200, call("POST", "/api/v1/rollouts", operator,
                "{\"companyIds\": [\"" + id + "\"], \"direction\": \"down\", \"targetVersion\": \"0\", \"dryRun\": true}").statusCode());
        HttpResponse<String> rollback = call("POST", "/api/v1/rollouts", operator,
                "{\"companyIds\": [\"" + id + "\"], \"direction\": \"down\", \"targetVersion\": \"0\"}");
        assertEquals(403, rollback.statusCode(), rollback.body());
        assertEquals(403, call("DELETE", "/api/v1/companies/" + id, operator, null).statusCode());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE id = ?::uuid AND deleted_at IS NOT NULL", id));
        // Admins may.
        assertEquals(200, call("DELETE", "/api/v1/companies/" + id, admin, null).statusCode());
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE id = ?::uuid AND deleted_at IS NOT NULL", id));
    }

    @Test
    void healthStaysOpenAndMetricsAreOpenByDefault() throws Exception {
        assertEquals(200, call("GET", "/q/health/ready", null, null).statusCode());
        assertEquals(200, call("GET", "/q/health/live", null, null).statusCode());
        assertEquals(200, call("GET", "/q/metrics", null, null).statusCode());
    }

    @Test
    void theTokenCommandSignsWithTheConfiguredKey() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("SMALLRYE_JWT_SIGN_KEY_LOCATION", TestTokens.PRIVATE_KEY.toString());
        int code = FlotillaCli.run(new String[]{"token", "--role", "operator", "--ttl", "10m"}, env::get,
                Path.of("target/no-data-dir"), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err));
        assertEquals(0, code, err.toString());
        String token = out.toString(StandardCharsets.UTF_8).trim();
        assertEquals(200, call("GET", "/api/v1/fleet", token, null).statusCode());
        assertEquals(403, call("DELETE", "/api/v1/companies/00000000-0000-0000-0000-000000000000", token, null).statusCode());

        assertEquals(2, FlotillaCli.run(new String[]{"token", "--role", "root"}, env::get, Path.of("x"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, FlotillaCli.run(new String[]{"token", "--ttl", "forever"}, env::get, Path.of("x"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, FlotillaCli.run(new String[]{"token"}, k -> null, Path.of("target/no-data-dir"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
    }
}
