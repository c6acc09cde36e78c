package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.client.model.FleetView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON envelope has one shape, success or not; text goes to stdout, why it failed to stderr. */
class OutputTest {

    static final List<String> ENVELOPE = List.of("ok", "exitCode", "verb", "data", "error");
    static final List<String> ERROR = List.of("message", "status", "type", "problem");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Output output(Output.Format format) {
        return new Output(format, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void successFailureAndAFailedCheckShareTheEnvelope() throws IOException {
        FleetView fleet = new FleetView().companies(3L).latestVersion("7").pending(1L);
        assertEquals(0, output(Output.Format.json).print("status", Outcome.ok(fleet, "ignored in json")));
        JsonNode success = Output.JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(ENVELOPE, fields(success));
        assertTrue(success.get("ok").asBoolean());
        assertEquals(0, success.get("exitCode").asInt());
        assertEquals("status", success.get("verb").asText());
        assertEquals(3, success.get("data").get("companies").asInt());
        assertTrue(success.get("error").isNull(), "error is null, not missing, on success");
        out.reset();

        assertEquals(3, output(Output.Format.json).print("status",
                Outcome.of(ExitCode.CHECK_FAILED, fleet, "ignored", "1 company with pending versions")));
        JsonNode check = Output.JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(ENVELOPE, fields(check));
        assertFalse(check.get("ok").asBoolean());
        assertEquals(3, check.get("exitCode").asInt());
        assertEquals(ERROR, fields(check.get("error")));
        assertEquals("1 company with pending versions", check.get("error").get("message").asText());
        out.reset();

        CliFailure refused = new CliFailure(ExitCode.USAGE, "companies already in another rollout", 409,
                "urn:flotilla:problem:rollout-conflict", Map.of("type", "urn:flotilla:problem:rollout-conflict", "status", 409),
                null);
        assertEquals(2, output(Output.Format.json).fail("migrate", refused));
        JsonNode failure = Output.JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(ENVELOPE, fields(failure));
        assertFalse(failure.get("ok").asBoolean());
        assertEquals(2, failure.get("exitCode").asInt());
        assertEquals("migrate", failure.get("verb").asText());
        assertTrue(failure.get("data").isNull(), "data is null, not missing, when there is none");
        assertEquals(ERROR, fields(failure.get("error")));
        assertEquals(409, failure.get("error").get("status").asInt());
        assertEquals("urn:flotilla:problem:rollout-conflict", failure.get("error").get("type").asText());
        assertEquals("", err.toString(StandardCharsets.UTF_8), "json mode: nothing on stderr from the envelope");
    }

    @Test
    void textPutsTheResultOnStdoutAndWhyOnStderr() {
        assertEquals(1, output(Output.Format.text).print("lint",
                Outcome.of(ExitCode.FAILED, null, "tenant-id-not-null  lookup\n", "1 lint violations")));
        assertEquals("tenant-id-not-null  lookup\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("flotilla lint: 1 lint violations\n", err.toString(StandardCharsets.UTF_8));
        out.reset();
        err.reset();
        assertEquals(4, output(Output.Format.text).fail("seed", new CliFailure(ExitCode.GAVE_UP, "schema busy", 409,
                Failures.SCHEMA_BUSY, null, null)));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("flotilla seed: schema busy\n", err.toString(StandardCharsets.UTF_8));
    }
}
