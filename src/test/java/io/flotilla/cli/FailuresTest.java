package io.flotilla.cli;

import io.flotilla.client.ApiException;
import io.flotilla.security.Role;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one mapping of refused requests (problem+json in the generated client's ApiException) to exit codes. */
class FailuresTest {

    static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

    private static ServiceConnection connection(String token) {
        Map<String, String> env = token == null ? Map.of() : Map.of("FLOTILLA_TOKEN", token);
        return ServiceConnection.open(null, null, env::get, Path.of("target/cli-test-no-data-dir"), Role.OPERATOR);
    }

    private static ApiException refused(int status, String body) {
        return new ApiException(status, "call failed with: " + status, NO_HEADERS, body);
    }

    private static String problem(int status, String code, String detail) {
        return "{\"type\":\"urn:flotilla:problem:" + code + "\",\"title\":\"t\",\"status\":" + status + ",\"detail\":\""
                + detail + "\",\"instance\":\"/api/v1/x\",\"version\":\"3\"}";
    }

    @Test
    void exitCodesByProblemType() {
        assertEquals(ExitCode.FAILED, Failures.exitCode(500, "urn:flotilla:problem:migration-failed"));
        assertEquals(ExitCode.GAVE_UP, Failures.exitCode(409, "urn:flotilla:problem:schema-busy"));
        for (String other : List.of("rollout-conflict", "drift-detected", "company-not-found", "invalid-request",
                "unauthorized", "forbidden", "extension-missing")) {
            assertEquals(ExitCode.USAGE, Failures.exitCode(409, "urn:flotilla:problem:" + other), other);
        }
        assertEquals(ExitCode.USAGE, Failures.exitCode(500, "about:blank"), "an unexpected 5xx");
        assertEquals(ExitCode.USAGE, Failures.exitCode(502, null), "a proxy's answer without a problem");
    }

    @Test
    void aProblemBecomesMessageStatusAndType() {
        CliFailure f = Failures.of(refused(409, problem(409, "rollout-conflict",
                "Companies already in rollout 42: wait or cancel it")), connection("a.b.c"));
        assertEquals(ExitCode.USAGE, f.exitCode());
        assertEquals(409, f.status());
        assertEquals("urn:flotilla:problem:rollout-conflict", f.type());
        assertTrue(f.getMessage().startsWith("Companies already in rollout 42: wait or cancel it (HTTP 409"), f.getMessage());
        assertEquals("3", f.problem().get("version"), "the problem's own fields are kept");

        CliFailure failed = Failures.of(refused(500, problem(500, "migration-failed", "Migration 3 failed")), connection("a.b.c"));
        assertEquals(ExitCode.FAILED, failed.exitCode());
        CliFailure busy = Failures.of(refused(409, problem(409, "schema-busy", "busy")), connection("a.b.c"));
        assertEquals(ExitCode.GAVE_UP, busy.exitCode());
    }

    @Test
    void aRefusedTokenSaysHowToMintOne() {
        CliFailure f = Failures.of(refused(401, problem(401, "unauthorized", "Send a valid token")), connection("a.b.c"));
        assertEquals(ExitCode.USAGE, f.exitCode());
        assertTrue(f.getMessage().startsWith("the service refused the token (FLOTILLA_TOKEN): Send a valid token;"), f.getMessage());
        assertTrue(f.getMessage().contains("`flotilla token --role operator`"), f.getMessage());

        CliFailure none = Failures.of(refused(401, problem(401, "unauthorized", "Send a valid token")), connection(null));
        assertTrue(none.getMessage().startsWith("the service needs a token: pass --token or set FLOTILLA_TOKEN"), none.getMessage());

        CliFailure role = Failures.of(refused(403, problem(403, "forbidden", "Your token's role may not do this")), connection("a.b.c"));
        assertEquals(ExitCode.USAGE, role.exitCode());
        assertTrue(role.getMessage().contains("this needs role operator"), role.getMessage());
    }

    @Test
    void somethingElseAnsweringOrNothingAnswering() {
        CliFailure html = Failures.of(refused(404, "<html><body>Not Found</body></html>"), connection("a.b.c"));
        assertEquals(ExitCode.USAGE, html.exitCode());
        assertNull(html.type());
        assertNull(html.problem());
        assertTrue(html.getMessage().contains("is " + ServiceConnection.DEFAULT_URL + " the Flotilla service?"), html.getMessage());

        CliFailure refusedConnection = Failures.of(new ApiException(new ConnectException()), connection("a.b.c"));
        assertEquals(ExitCode.USAGE, refusedConnection.exitCode());
        assertNull(refusedConnection.status());
        assertTrue(refusedConnection.getMessage().contains("cannot connect to the service at " + ServiceConnection.DEFAULT_URL
                + " (the default): connection refused"), refusedConnection.getMessage());
    }
}
