package io.flotilla.audit;

import io.flotilla.security.Role;
import io.flotilla.security.Tokens;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit trail of a scripted session of changes by three roles (and by nobody), read back through
 * {@code GET /api/v1/audit}: whole, in order, with the answers' statuses, and with no token or secret in the table.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AuditTest {

    @Inject
    DataSource ds;

    /** Who did what and what they were answered, as the audit lists it (oldest first). */
    record Seen(String subject, String role, String action, String method, int status) {
    }

    static final class Actor {
        final String subject;
        final String token;

        Actor(String prefix, Role role) {
            subject = Sql.unique(prefix);
            token = Tokens.sign(Tokens.readPrivateKey(TestTokens.PRIVATE_KEY), Tokens.DEFAULT_ISSUER, subject, role,
                    Duration.ofHours(1));
        }

        RequestSpecification as() {
            return given().header("Authorization", "Bearer " + token);
        }
    }

    @Test
    void aScriptedSessionAppearsWholeInOrderWithItsStatusesAndNoSecret() {
        Actor admin = new Actor("audit_admin", Role.ADMIN);
        Actor operator = new Actor("audit_operator", Role.OPERATOR);
        Actor viewer = new Actor("audit_viewer", Role.VIEWER);
        String webhookSecret = "whsec-" + Sql.unique("s");
        String urlSecret = "T0SECRET/B0SECRET/" + Sql.unique("x");
        OffsetDateTime since = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        List<Seen> expected = new ArrayList<>();

        String schema = Sql.unique("audited");
        String companyId = operator.as().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Co " + schema, "schemaName", schema)).post("/api/v1/companies")
                .then().statusCode(201).extract().path("id");
        expected.add(new Seen(operator.subject, "operator", "onboardCompany", "POST", 201));

        viewer.as().contentType(ContentType.JSON).body(Map.of("companyName", "No", "schemaName", Sql.unique("no")))
                .post("/api/v1/companies").then().statusCode(403);
        expected.add(new Seen(viewer.subject, "viewer", "onboardCompany", "POST", 403));

        given().header("Authorization", "Bearer not-a-token").contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/rollouts").then().statusCode(401);
        expected.add(new Seen(null, null, "startRollout", "POST", 401));

        operator.as().contentType(ContentType.JSON).body(Map.of("settings", Map.of("plan", "gold")))
                .patch("/api/v1/companies/{id}", companyId).then().statusCode(200);
        expected.add(new Seen(operator.subject, "operator", "updateCompany", "PATCH", 200));

        String webhookId = admin.as().contentType(ContentType.JSON)
                .body(Map.of("url", "https://hooks.example.test/services/" + urlSecret, "events",
                        List.of("rollout.failed"), "secret", webhookSecret))
                .post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
        expected.add(new Seen(admin.subject, "admin", "createWebhook", "POST", 201));

        operator.as().contentType(ContentType.JSON).body(Map.of("url", "ftp://x", "events", List.of(), "secret", "s"))
                .post("/api/v1/webhooks").then().statusCode(403);
        expected.add(new Seen(operator.subject, "operator", "createWebhook", "POST", 403));

        String rolloutId = operator.as().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(companyId)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        expected.add(new Seen(operator.subject, "operator", "startRollout", "POST", 202));
        Await.until("rollout " + rolloutId + " ends", () -> List.of("succeeded", "failed", "cancelled")
                .contains(given().get("/api/v1/rollouts/{id}", rolloutId).<String>path("state")));

        operator.as().post("/api/v1/rollouts/{id}/pause", rolloutId).then().statusCode(409);
        expected.add(new Seen(operator.subject, "operator", "pauseRollout", "POST", 409));

        operator.as().contentType(ContentType.JSON).body("{\"force\": true, \"confirm\": \"x\"}")
                .post("/api/v1/companies/{id}/reset", companyId).then().statusCode(403);
        expected.add(new Seen(operator.subject, "operator", "resetCompany", "POST", 403));

        operator.as().delete("/api/v1/companies/{id}", companyId).then().statusCode(403);
        expected.add(new Seen(operator.subject, "operator", "deleteCompany", "DELETE", 403));

        admin.as().delete("/api/v1/webhooks/{id}", webhookId).then().statusCode(204);
        expected.add(new Seen(admin.subject, "admin", "deleteWebhook", "DELETE", 204));

        // Reads are not changes: never audited.
        viewer.as().get("/api/v1/companies/{id}", companyId).then().statusCode(200);

        List<Map<String, Object>> items = admin.as().queryParam("since", since.toString()).queryParam("limit", 1000)
                .get("/api/v1/audit").then().statusCode(200).extract().path("items");
        List<String> ours = List.of(admin.subject, operator.subject, viewer.subject);
        List<Seen> seen = new ArrayList<>();
        for (int i = items.size() - 1; i >= 0; i--) { // newest first: read them back in the order they happened
            Map<String, Object> e = items.get(i);
            String subject = (String) e.get("subject");
            boolean anonymousOfOurs = subject == null && "startRollout".equals(e.get("action"))
                    && Integer.valueOf(401).equals(e.get("status"));
            if (subject != null && ours.contains(subject) || anonymousOfOurs) {
                seen.add(new Seen(subject, (String) e.get("role"), (String) e.get("action"), (String) e.get("method"),
                        (Integer) e.get("status")));
            }
        }
        assertEquals(expected, seen);

        // What was changed: the ids in the path, the id of what was made, the body without its secret.
        Map<String, Object> created = entry(items, operator.subject, "onboardCompany");
        assertEquals(Map.of("created", companyId), created.get("targets"));
        assertEquals("/api/v1/companies", created.get("path"));
        assertEquals(schema, ((Map<?, ?>) created.get("summary")).get("schemaName"));
        assertEquals(Map.of("id", companyId), entry(items, operator.subject, "updateCompany").get("targets"));
        Map<String, Object> webhook = entry(items, admin.subject, "createWebhook");
        assertEquals(Map.of("created", webhookId), webhook.get("targets"));
        Map<?, ?> summary = (Map<?, ?>) webhook.get("summary");
        assertFalse(summary.containsKey("secret"), "the webhook's secret: " + summary);
        assertEquals("https://hooks.example.test", summary.get("url"), "a URL keeps scheme and host only");
        assertEquals(List.of("rollout.failed"), summary.get("events"));
        assertEquals(Map.of("created", rolloutId), entry(items, operator.subject, "startRollout").get("targets"));
        assertNull(entry(items, operator.subject, "deleteCompany").get("summary"), "no body, no summary");

        // Nowhere in the table, in any column: the tokens (or their signatures), the secret, the URL's secret path.
        String table = String.join("\n", Sql.column(ds, "SELECT a::text FROM public.audit_entries a"));
        for (Actor actor : List.of(admin, operator, viewer)) {
            assertFalse(table.contains(actor.token), "a token in the audit table");
            assertFalse(table.contains(actor.token.substring(actor.token.lastIndexOf('.') + 1)), "a token's signature");
        }
        assertFalse(table.contains(webhookSecret), "the webhook secret in the audit table");
        assertFalse(table.contains("T0SECRET"), "the webhook URL's secret path in the audit table");
        assertFalse(table.contains("Bearer"), "an Authorization header in the audit table");
        assertFalse(table.contains("not-a-token"), "the refused token in the audit table");
    }

    @Test
    void filtersBySubjectActionAndTimeAndPagesNewestFirst() {
        Actor operator = new Actor("audit_filter_op", Role.OPERATOR);
        Actor admin = new Actor("audit_filter_admin", Role.ADMIN);
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String schema = Sql.unique("audit_f");
            ids.add(operator.as().contentType(ContentType.JSON)
                    .body(Map.of("companyName", "Co " + schema, "schemaName", schema)).post("/api/v1/companies")
                    .then().statusCode(201).extract().path("id"));
        }
        operator.as().contentType(ContentType.JSON).body(Map.of("settings", Map.of("tier", "b")))
                .patch("/api/v1/companies/{id}", ids.get(0)).then().statusCode(200);
        admin.as().delete("/api/v1/companies/{id}", ids.get(1)).then().statusCode(200);

        // By subject: the operator's four changes, newest first.
        List<String> actions = admin.as().queryParam("subject", operator.subject).get("/api/v1/audit")
                .then().statusCode(200).extract().path("items.action");
        assertEquals(List.of("updateCompany", "onboardCompany", "onboardCompany", "onboardCompany"), actions);
        // By action and subject: the three creations; paged two at a time, the cursor reaches the third and no more.
        Map<String, Object> first = admin.as().queryParam("subject", operator.subject)
                .queryParam("action", "onboardCompany").queryParam("limit", 2).get("/api/v1/audit")
                .then().statusCode(200).extract().path("$");
        List<Map<String, Object>> page1 = cast(first.get("items"));
        assertEquals(2, page1.size());
        assertNotNull(first.get("nextBefore"));
        Map<String, Object> second = admin.as().queryParam("subject", operator.subject)
                .queryParam("action", "onboardCompany").queryParam("limit", 2)
                .queryParam("before", first.get("nextBefore")).get("/api/v1/audit")
                .then().statusCode(200).extract().path("$");
        List<Map<String, Object>> page2 = cast(second.get("items"));
        assertEquals(1, page2.size());
        assertFalse(second.containsKey("nextBefore"), "the last page has no cursor");
        List<Object> created = new ArrayList<>();
        page1.forEach(e -> created.add(((Map<?, ?>) e.get("targets")).get("created")));
        page2.forEach(e -> created.add(((Map<?, ?>) e.get("targets")).get("created")));
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), created);
        // By action alone: the admin's delete is there, with its role.
        List<Map<String, Object>> deletes = admin.as().queryParam("action", "deleteCompany")
                .queryParam("since", before.toString()).get("/api/v1/audit").then().statusCode(200).extract().path("items");
        assertTrue(deletes.stream().anyMatch(e -> admin.subject.equals(e.get("subject")) && "admin".equals(e.get("role"))
                && Integer.valueOf(200).equals(e.get("status"))), deletes.toString());
        // By time: nothing of it before it began, all of it after.
        assertEquals(List.of(), admin.as().queryParam("subject", operator.subject)
                .queryParam("until", before.toString()).get("/api/v1/audit").then().statusCode(200)
                .extract().path("items"));
        assertEquals(4, admin.as().queryParam("subject", operator.subject).queryParam("since", before.toString())
                .get("/api/v1/audit").then().statusCode(200).extract().<List<?>>path("items").size());
        // Bad filters: 400 problems.
        admin.as().queryParam("since", "yesterday").get("/api/v1/audit").then().statusCode(400)
                .contentType("application/problem+json");
        admin.as().queryParam("since", "2026-11-24").queryParam("until", "2026-11-23").get("/api/v1/audit")
                .then().statusCode(400);
        admin.as().queryParam("limit", 0).get("/api/v1/audit").then().statusCode(400);
    }

    @Test
    void onlyAdminsReadTheAudit() {
        for (Role role : List.of(Role.VIEWER, Role.OPERATOR)) {
            given().header("Authorization", "Bearer " + TestTokens.token(role)).get("/api/v1/audit")
                    .then().statusCode(403).contentType("application/problem+json");
        }
        given().header("Authorization", "Bearer " + TestTokens.admin()).get("/api/v1/audit").then().statusCode(200);
        given().header("Authorization", "Bearer x").get("/api/v1/audit").then().statusCode(401);
    }

    private static Map<String, Object> entry(List<Map<String, Object>> items, String subject, String action) {
        return items.stream().filter(e -> subject.equals(e.get("subject")) && action.equals(e.get("action")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + action + " of " + subject));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cast(Object list) {
        return (List<Map<String, Object>>) list;
    }
}
