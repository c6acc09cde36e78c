package io.flotilla.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What of a request body the audit keeps: the request, never a secret. */
class RedactionTest {

    static final ObjectMapper JSON = new ObjectMapper();

    record Server(String name, String host, Map<String, String> passwordFrom, String apiToken) {
    }

    @Test
    void secretsPasswordsTokensAndKeysAreDroppedAtAnyDepth() {
        Map<String, Object> summary = Redaction.summary(JSON, Map.of("url", "https://u:p@hooks.slack.test/T1/B2/xyz?a=1",
                "secret", "s3cret", "nested", Map.of("Password", "p", "clientSecret", "c", "key", "k", "keep", "v"),
                "events", List.of("rollout.failed")));
        assertEquals(Map.of("url", "https://hooks.slack.test", "nested", Map.of("keep", "v"),
                "events", List.of("rollout.failed")), summary);

        assertEquals(Map.of("name", "eu-1", "host", "db.eu"),
                Redaction.summary(JSON, new Server("eu-1", "db.eu", Map.of("env", "PW"), "tok")));
    }

    @Test
    void textBodiesAreReadAsJsonAndNeverKeptRaw() {
        assertEquals(Map.of("force", true), Redaction.summary(JSON, "{\"force\": true, \"token\": \"t\"}"));
        Map<String, Object> unreadable = Redaction.summary(JSON, "password=hunter2");
        assertFalse(unreadable.toString().contains("hunter2"), unreadable.toString());
        assertNull(Redaction.summary(JSON, ""));
        assertNull(Redaction.summary(JSON, null));
    }

    @Test
    void urlsInAnyFieldKeepSchemeAndHostAndLongListsAndStringsAreCut() {
        List<Integer> ids = IntStream.range(0, 50).boxed().toList();
        Map<String, Object> summary = Redaction.summary(JSON, Map.of("target", "postgres://app:pw@db:5432/x",
                "companyIds", ids, "note", "x".repeat(1000)));
        assertEquals("postgres://db:5432", summary.get("target"));
        List<?> cut = (List<?>) summary.get("companyIds");
        assertEquals(Redaction.MAX_LIST + 1, cut.size());
        assertEquals("(30 more)", cut.get(Redaction.MAX_LIST));
        assertEquals(Redaction.MAX_STRING + 3, ((String) summary.get("note")).length());
    }
}
