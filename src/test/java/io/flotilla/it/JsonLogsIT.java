package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.testsupport.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged service with the container image's logging setting (read from docker/Dockerfile.jvm, as the image sets
 * it) writes one JSON object per line, from its first line to its last, with the fields log collectors read; a
 * failure's stack trace stays inside its line.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JsonLogsIT extends ProcessTestSupport {

    static final Path DOCKERFILE = Path.of("docker", "Dockerfile.jvm");

    @Test
    void theImagesSettingLogsOneJsonObjectPerLine() throws Exception {
        String setting = imageSetting("LOG_JSON");
        assertEquals("true", setting, "the image logs JSON");
        ServiceProcess service = started("it-json", Map.of("LOG_JSON", setting, "LOG_MIGRATIONS", "true"));
        // Work that logs: an onboarding (a step per migration) and a refused request.
        String schema = Sql.unique("jsonlog");
        assertEquals(201, service.post("/api/v1/companies",
                "{\"companyName\": \"Co " + schema + "\", \"schemaName\": \"" + schema + "\"}").statusCode());
        assertTrue(service.terminate(Duration.ofSeconds(60)) != -1, "stopped within a minute");

        List<String> lines = Files.readAllLines(service.logFile(), StandardCharsets.UTF_8);
        assertTrue(lines.size() >= 5, "the service logged: " + lines);
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode record;
            try {
                record = ServiceProcess.JSON.readTree(line);
            } catch (Exception e) {
                fail("not one JSON object: " + line);
                return;
            }
            assertTrue(record.isObject(), "not an object: " + line);
            for (String field : List.of("timestamp", "level", "loggerName", "message")) {
                assertFalse(record.path(field).asText().isEmpty(), "no " + field + " in " + line);
            }
            records.add(record);
        }
        assertTrue(records.stream().anyMatch(r -> r.path("message").asText().contains("started in")),
                "Quarkus' start line is among them");
        assertTrue(records.stream().anyMatch(r -> r.path("loggerName").asText().startsWith("io.flotilla")
                && r.path("message").asText().contains(schema)), "the onboarding's own lines are among them");
    }

    /** The value the image's {@code ENV} gives {@code name}. */
    static String imageSetting(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^\\s*(?:ENV\\s+)?" + name + "=(\\S+?)\\s*\\\\?$")
                .matcher(Files.readString(DOCKERFILE, StandardCharsets.UTF_8));
        assertTrue(m.find(), DOCKERFILE + " sets no " + name);
        return m.group(1);
    }
}
