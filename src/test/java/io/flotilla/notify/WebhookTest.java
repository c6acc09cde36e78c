package io.flotilla.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.server.ServerCheckJob;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.WebhookReceiver;
import io.flotilla.testsupport.WebhookReceiver.Received;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Webhooks against a real local HTTP receiver and the real PostgreSQL: signed, retried, recorded, sent once. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WebhookTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    @Inject
    Events events;

    @Inject
    WebhookSender sender;

    @Inject
    ServerCheckJob serverCheck;

    final List<WebhookReceiver> receivers = new ArrayList<>();

    @AfterEach
    void unsubscribe() {
        // Later tests' events must not keep retrying towards a receiver that is gone.
        Sql.execute(ds, "DELETE FROM public.webhook_subscriptions");
        receivers.forEach(WebhookReceiver::close);
    }

    WebhookReceiver receiver(Integer... answers) throws Exception {
        WebhookReceiver r = new WebhookReceiver().answering(answers);
        receivers.add(r);
        return r;
    }

    static String subscribe(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/webhooks")
                .then().statusCode(201).body("$", not(hasKey("secret"))).extract().path("id");
    }

    static List<Map<String, Object>> deliveries(String webhookId) {
        return given().get("/api/v1/webhooks/{id}/deliveries", webhookId).then().statusCode(200).extract().path("$");
    }

    static JsonNode json(Received r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.text(), e);
        }
    }

    @Test
    void aRolloutIsReportedStartedAndSucceededSignedWithTheSecret() throws Exception {
        WebhookReceiver receiver = receiver();
        String webhook = subscribe(Map.of("url", receiver.url("/hook"), "secret", "s3cret-for-rollouts",
                "events", List.of("rollout.started", "rollout.succeeded")));
        String schema = Sql.unique("hook");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        String company = Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?)"
                + " RETURNING id::text", "Co " + schema, schema).get(0);
        String rollout = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");

        Await.until("rollout.started and rollout.succeeded at the receiver", () -> receiver.received().stream()
                .filter(r -> rollout.equals(json(r).path("data").path("rolloutId").asText())).count() == 2);
        List<Received> got = receiver.received().stream()
                .filter(r -> rollout.equals(json(r).path("data").path("rolloutId").asText())).toList();
        // Due in the same pass they are sent in parallel: in either order.
        assertEquals(List.of("rollout.started", "rollout.succeeded"),
                got.stream().map(r -> json(r).path("type").asText()).sorted().toList());
        for (Received r : got) {
            assertEquals("/hook", r.path());
            assertEquals(Signature.of("s3cret-for-rollouts", r.body()), r.header("X-Flotilla-Signature"));
            assertTrue(r.header("X-Flotilla-Signature").matches("sha256=[0-9a-f]{64}"), r.header("X-Flotilla-Signature"));
            assertEquals(json(r).path("type").asText(), r.header("X-Flotilla-Event"));
            assertTrue(json(r).path("occurredAt").asText().endsWith("Z"), r.text());
            assertTrue(json(r).path("id").asText().matches("[0-9a-f-]{36}"), r.text());
        }
        // A signature made with another secret does not match: the receiver can tell.
        assertTrue(!Signature.of("another", got.get(0).body()).equals(got.get(0).header("X-Flotilla-Signature")));
        // Recorded: each delivered at the first attempt, under the id the receiver saw.
        Await.until("both deliveries recorded as delivered", () -> deliveries(webhook).stream()
                .filter(d -> "delivered".equals(d.get("status"))).count() == 2);
        Map<String, Map<String, Object>> byId = deliveries(webhook).stream()
                .collect(Collectors.toMap(d -> (String) d.get("id"), Function.identity()));
        for (Received r : got) {
            Map<String, Object> d = byId.get(r.header("X-Flotilla-Delivery"));
            assertEquals(1, d.get("attempts"), d.toString());
            assertEquals(200, d.get("lastAnswer"), d.toString());
            assertEquals(json(r).path("id").asText(), d.get("eventId"));
        }
    }

    @Test
    void aScheduledRolloutIsReportedScheduledThenStarted() throws Exception {
        WebhookReceiver receiver = receiver();
        subscribe(Map.of("url", receiver.url("/sched"), "secret", "sched", "events",
                List.of("rollout.scheduled", "rollout.started")));
        java.util.UUID company = Sql.companies(ds, "hooksched", 1).get(0);
        String rollout = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company),
                        "startAt", java.time.OffsetDateTime.now().plusSeconds(2).toString()))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("rollout.scheduled", () -> types(receiver).contains("rollout.scheduled"));
        assertTrue(!types(receiver).contains("rollout.started"), "not started before its startAt: " + types(receiver));
        Await.until("rollout.started at its startAt", () -> types(receiver).contains("rollout.started"));
        assertTrue(receiver.received().stream().allMatch(r -> rollout.equals(json(r).path("data").path("rolloutId").asText())));
    }

    @Test
    void aRolloutWithNothingToDoIsReportedSucceeded() throws Exception {
        WebhookReceiver receiver = receiver();
        subscribe(Map.of("url", receiver.url("/noop"), "secret", "noop", "events", List.of("rollout.succeeded")));
        String schema = Sql.unique("noop");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        String company = Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?)"
                + " RETURNING id::text", "Co " + schema, schema).get(0);
        String first = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("the first rollout's succeeded", () -> receiver.received().stream()
                .anyMatch(r -> first.equals(json(r).path("data").path("rolloutId").asText())));
        String again = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .post("/api/v1/rollouts").then().statusCode(202).body("state", equalTo("succeeded")).extract().path("id");
        Await.until("the no-op rollout's succeeded", () -> receiver.received().stream()
                .anyMatch(r -> again.equals(json(r).path("data").path("rolloutId").asText())));
        assertEquals(2, receiver.received().size());
    }

    @Test
    void aFailingStepAndAFailedMaintenanceRunAreReported() throws Exception {
        WebhookReceiver receiver = receiver();
        subscribe(Map.of("url", receiver.url("/failures"), "secret", "failures", "events",
                List.of("company.step-failed", "rollout.failed", "maintenance.failed")));
        String schema = Sql.unique("hookfail");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        Sql.execute(ds, "CREATE TABLE " + schema + ".conversations (id int)"); // the first migration cannot create it
        String company = Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?)"
                + " RETURNING id::text", "Co " + schema, schema).get(0);
        String rollout = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("company.step-failed and rollout.failed", () -> receiver.received().size() >= 2);
        Map<String, JsonNode> byType = receiver.received().stream().map(WebhookTest::json)
                .collect(Collectors.toMap(b -> b.path("type").asText(), b -> b));
        JsonNode step = byType.get("company.step-failed").path("data");
        assertEquals(rollout, step.path("rolloutId").asText());
        assertEquals(company, step.path("companyId").asText());
        assertEquals(schema, step.path("schemaName").asText());
        assertTrue(step.path("error").asText().contains("conversations"), step.toString());
        assertEquals(rollout, byType.get("rollout.failed").path("data").path("rolloutId").asText());

        // A maintenance run where a company's step fails ends failed: reported with the job and the run.
        String onboarded = given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema + "m",
                "schemaName", schema + "m")).post("/api/v1/companies").then().statusCode(201).extract().path("id");
        Sql.execute(ds, "DROP TABLE " + schema + "m.conversations CASCADE");
        String run = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(onboarded)))
                .post("/api/v1/maintenance/jobs/{job}/run", "archive-old-conversations").then().statusCode(202)
                .extract().path("id");
        Await.until("maintenance.failed", () -> receiver.received().size() >= 3);
        JsonNode failed = json(receiver.received().get(2));
        assertEquals("maintenance.failed", failed.path("type").asText());
        assertEquals(run, failed.path("data").path("runId").asText());
        assertEquals("archive-old-conversations", failed.path("data").path("job").asText());
    }

    @Test
    void aStepBlockedByALockAndARolloutPausedResumedAndCancelledAreReported() throws Exception {
        WebhookReceiver receiver = receiver();
        subscribe(Map.of("url", receiver.url("/steer"), "secret", "steer", "events", List.of("company.lock-timeout",
                "rollout.paused", "rollout.resumed", "rollout.cancelled")));
        java.util.UUID company = Sql.companies(ds, "hooklock", 1).get(0);
        String schema = Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?", company).get(0);
        String first = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company),
                "targetVersion", "6")).post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("version 6", () -> "succeeded".equals(given().get("/api/v1/rollouts/{id}", first).path("state")));
        try (java.sql.Connection holder = ds.getConnection(); java.sql.Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            // Version 7 (CREATE INDEX CONCURRENTLY) waits for this writer: the step spends its lock budget.
            st.execute("LOCK TABLE " + schema + ".messages IN ROW EXCLUSIVE MODE");
            String rollout = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company),
                            "strategy", Map.of("onLockTimeout", "wait", "lockTimeouts", List.of("50ms"), "lockBudget", "300ms")))
                    .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
            Await.until("company.lock-timeout", () -> types(receiver).contains("company.lock-timeout"));
            given().post("/api/v1/rollouts/{id}/pause", rollout).then().statusCode(200);
            given().post("/api/v1/rollouts/{id}/resume", rollout).then().statusCode(200);
            given().post("/api/v1/rollouts/{id}/cancel", rollout).then().statusCode(200);
            Await.until("paused, resumed and cancelled", () -> types(receiver).containsAll(
                    List.of("rollout.paused", "rollout.resumed", "rollout.cancelled")));
            JsonNode lock = receiver.received().stream().map(WebhookTest::json)
                    .filter(b -> b.path("type").asText().equals("company.lock-timeout")).findFirst().orElseThrow();
            assertEquals(rollout, lock.path("data").path("rolloutId").asText());
            assertEquals(company.toString(), lock.path("data").path("companyId").asText());
            assertEquals("7", lock.path("data").path("version").asText());
            // Once each (sent in parallel within a pass, so in any order).
            List<String> steering = types(receiver).stream().filter(t -> t.startsWith("rollout.")).sorted().toList();
            assertEquals(List.of("rollout.cancelled", "rollout.paused", "rollout.resumed"), steering);
            holder.rollback();
        }
    }

    static List<String> types(WebhookReceiver receiver) {
        return receiver.received().stream().map(r -> json(r).path("type").asText()).toList();
    }

    @Test
    void aReceiverAnswering500GetsTheSameDeliveryAgainAndItIsRecordedWithTwoAttempts() throws Exception {
        WebhookReceiver receiver = receiver(500);
        String webhook = subscribe(Map.of("url", receiver.url("/flaky"), "secret", "retry-secret",
                "events", List.of("server.unreachable")));
        assertEquals(1, events.record(EventType.SERVER_UNREACHABLE, Map.of("server", "eu-9", "error", "gone"))
                .await().atMost(Duration.ofSeconds(10)));

        Await.until("the retry to deliver", () -> deliveries(webhook).stream()
                .anyMatch(d -> "delivered".equals(d.get("status"))));
        Map<String, Object> delivery = deliveries(webhook).get(0);
        assertEquals(2, delivery.get("attempts"), delivery.toString());
        assertEquals(200, delivery.get("lastAnswer"));
        List<Received> got = receiver.received();
        assertEquals(2, got.size());
        assertEquals(got.get(0).header("X-Flotilla-Delivery"), got.get(1).header("X-Flotilla-Delivery"));
        assertEquals(delivery.get("id"), got.get(0).header("X-Flotilla-Delivery"));
        assertEquals(got.get(0).text(), got.get(1).text(), "a retry sends the same bytes");
        assertEquals(Signature.of("retry-secret", got.get(1).body()), got.get(1).header("X-Flotilla-Signature"));
        assertEquals("eu-9", json(got.get(1)).path("data").path("server").asText());
    }

    @Test
    void aFailedAttemptIsRecordedWithItsAnswerAndTheNextAttempt() throws Exception {
        WebhookReceiver receiver = receiver(503, 503, 503, 503, 503, 503, 503, 503, 503, 503);
        String webhook = subscribe(Map.of("url", receiver.url("/down"), "secret", "x", "events",
                List.of("maintenance.failed")));
        events.record(EventType.MAINTENANCE_FAILED, Map.of("job", "vacuum-analyze")).await().atMost(Duration.ofSeconds(10));
        Await.until("two failed attempts", () -> receiver.received().size() >= 2);
        Map<String, Object> delivery = deliveries(webhook).get(0);
        assertEquals("pending", delivery.get("status"));
        assertEquals(503, delivery.get("lastAnswer"));
        assertEquals("HTTP 503", delivery.get("lastError"));
        assertTrue(delivery.get("nextAttemptAt") != null, delivery.toString());
    }

    @Test
    void replicasClaimingAtOnceSendEachDeliveryOnceAndADeliveredOneIsNeverSentAgain() throws Exception {
        WebhookReceiver receiver = receiver();
        String webhook = subscribe(Map.of("url", receiver.url("/once"), "secret", "once", "events",
                List.of("company.step-failed")));
        int n = 30;
        for (int i = 0; i < n; i++) {
            events.record(EventType.COMPANY_STEP_FAILED, Map.of("n", String.valueOf(i))).await().atMost(Duration.ofSeconds(10));
        }
        // Four passes at once beside the service's own timer: each its own claim, as four replicas' would be.
        Uni.join().all(sender.pass(), sender.pass(), sender.pass(), sender.pass()).andCollectFailures()
                .await().atMost(Duration.ofSeconds(30));
        Await.until("every delivery recorded as delivered", () -> deliveries(webhook).stream()
                .filter(d -> "delivered".equals(d.get("status"))).count() == n);
        // A restarted sender (a fresh pass over the same table) finds nothing to send.
        assertEquals(0, sender.pass().await().atMost(Duration.ofSeconds(10)));
        Map<String, Long> perDelivery = new HashMap<>();
        receiver.received().forEach(r -> perDelivery.merge(r.header("X-Flotilla-Delivery"), 1L, Long::sum));
        assertEquals(n, perDelivery.size());
        assertTrue(perDelivery.values().stream().allMatch(c -> c == 1), "each sent once: " + perDelivery);
        assertTrue(deliveries(webhook).stream().allMatch(d -> Integer.valueOf(1).equals(d.get("attempts"))));
    }

    @Test
    void aSlackSubscriptionGetsSlacksBody() throws Exception {
        WebhookReceiver receiver = receiver();
        subscribe(Map.of("url", receiver.url("/slack"), "secret", "slack", "slack", true, "events",
                List.of("server.reachable")));
        // home marked unreachable by an earlier check: the next check that reaches it reports it back.
        Sql.execute(ds, "UPDATE public.tenant_servers SET reachable = false WHERE name = 'home'");
        serverCheck.check().await().atMost(Duration.ofSeconds(30));
        Await.until("the Slack message", () -> !receiver.received().isEmpty());
        JsonNode body = json(receiver.received().get(0));
        assertEquals(List.of("text"), iterable(body.fieldNames()));
        assertTrue(body.path("text").asText().contains("server.reachable") && body.path("text").asText().contains("home"),
                body.toString());
        // A second check changes nothing, so nothing more is reported.
        serverCheck.check().await().atMost(Duration.ofSeconds(30));
        assertEquals(0, sender.pass().await().atMost(Duration.ofSeconds(10)));
        assertEquals(1, receiver.received().size());
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void badSubscriptionsAre400ProblemsAndNothingIsStored() {
        long before = Sql.count(ds, "SELECT count(*) FROM public.webhook_subscriptions");
        List<Map<String, Object>> bad = List.of(
                Map.of("url", "ftp://example.com/x", "secret", "s", "events", List.of("rollout.failed")),
                Map.of("url", "not a url", "secret", "s", "events", List.of("rollout.failed")),
                Map.of("url", "http://example.com/x", "secret", "s", "events", List.of("rollout.exploded")),
                Map.of("url", "http://example.com/x", "secret", "s", "events", List.of()),
                Map.of("url", "http://example.com/x", "events", List.of("rollout.failed")),
                Map.of("url", "http://example.com/x", "secret", " ", "events", List.of("rollout.failed")),
                Map.of("secret", "s", "events", List.of("rollout.failed")),
                Map.of("url", "http://example.com/x", "secret", "s", "events", List.of("rollout.failed"), "extra", 1));
        for (Map<String, Object> body : bad) {
            given().contentType(ContentType.JSON).body(body).post("/api/v1/webhooks").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("type", startsWith("urn:flotilla:problem:"));
        }
        given().contentType(ContentType.JSON).body(bad.get(2)).post("/api/v1/webhooks").then()
                .body("type", equalTo("urn:flotilla:problem:invalid-webhook")).body("field", equalTo("events"));
        assertEquals(before, Sql.count(ds, "SELECT count(*) FROM public.webhook_subscriptions"));
    }

    @Test
    void subscriptionsAreListedReadAndDeletedWithoutTheirSecret() {
        String id = subscribe(Map.of("url", "https://hooks.example.com/a", "secret", "never-shown",
                "events", List.of("rollout.failed", "rollout.failed", "server.unreachable")));
        given().get("/api/v1/webhooks/{id}", id).then().statusCode(200)
                .body("url", equalTo("https://hooks.example.com/a"))
                .body("events", equalTo(List.of("rollout.failed", "server.unreachable")))
                .body("slack", equalTo(false)).body("$", not(hasKey("secret")));
        String list = given().get("/api/v1/webhooks").then().statusCode(200).extract().asString();
        assertTrue(list.contains(id) && !list.contains("never-shown"), list);
        given().delete("/api/v1/webhooks/{id}", id).then().statusCode(204);
        given().get("/api/v1/webhooks/{id}", id).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:flotilla:problem:webhook-not-found"));
        given().get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(404);
        given().delete("/api/v1/webhooks/{id}", id).then().statusCode(404);
    }

    @Test
    void theWaitDoublesUpToTheMaximum() {
        // Test profile: backoff 200ms, max-backoff 1s.
        assertEquals(Duration.ofMillis(200), sender.backoff(1));
        assertEquals(Duration.ofMillis(400), sender.backoff(2));
        assertEquals(Duration.ofMillis(800), sender.backoff(3));
        assertEquals(Duration.ofSeconds(1), sender.backoff(4));
        assertEquals(Duration.ofSeconds(1), sender.backoff(60));
    }
}
