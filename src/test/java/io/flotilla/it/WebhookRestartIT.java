package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.notify.Signature;
import io.flotilla.testsupport.Ports;
import io.flotilla.testsupport.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhook deliveries across restarts of the service process: what was recorded while the receiver was down is sent
 * by the next process once it answers, and a delivered one is never sent again by a later process.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WebhookRestartIT extends ProcessTestSupport {

    static final Map<String, String> FAST = Map.of("FLOTILLA_WEBHOOK_POLL", "200ms", "FLOTILLA_WEBHOOK_BACKOFF", "1s",
            "FLOTILLA_WEBHOOK_MAX_BACKOFF", "1s");

    @Test
    void deliveriesRecordedBeforeARestartAreSentOnceAfterItAndNeverAgain() throws Exception {
        int port = Ports.free(); // nothing listens: deliveries to it are refused until the receiver starts
        ServiceProcess a = started("it-a", FAST);
        HttpResponse<String> hook = a.post("/api/v1/webhooks", "{\"url\": \"http://127.0.0.1:" + port + "/hook\","
                + " \"events\": [\"rollout.started\", \"rollout.succeeded\"], \"secret\": \"restart-secret\"}");
        assertEquals(201, hook.statusCode(), hook.body());
        db.createFleet("it_w_", 1, 3);
        String first = rollout(a);
        Poll.until("both deliveries refused at least once", Duration.ofSeconds(60),
                () -> db.queryLong("SELECT count(*) FROM public.webhook_deliveries WHERE attempts >= 1"
                        + " AND status = 'pending' AND last_error IS NOT NULL"), n -> n == 2, n -> n + logs().get());
        assertTrue(a.terminate(Duration.ofSeconds(30)) != -1, "A did not stop" + logs().get());

        try (WebhookReceiver receiver = new WebhookReceiver(port)) {
            ServiceProcess b = started("it-b", FAST);
            Poll.until("the two deliveries sent by B", Duration.ofSeconds(60), () -> receiver.received().size(),
                    n -> n >= 2, n -> n + logs().get());
            Poll.until("B to record both as delivered", Duration.ofSeconds(30), () -> db.queryLong(
                    "SELECT count(*) FROM public.webhook_deliveries WHERE status = 'delivered'"), n -> n == 2, n -> n + "");
            assertTrue(b.terminate(Duration.ofSeconds(30)) != -1, "B did not stop" + logs().get());

            // A third process, and a new event that proves its sender ran: the old deliveries are not sent again.
            ServiceProcess c = started("it-c", FAST);
            db.createFleet("it_w_", 4, 4); // work for a second rollout: one with nothing to do is never started
            String second = rollout(c);
            Poll.until("the second rollout's deliveries", Duration.ofSeconds(60), () -> receiver.received().size(),
                    n -> n >= 4, n -> n + logs().get());
            Map<String, Integer> perDelivery = new HashMap<>();
            Map<String, Integer> perRollout = new HashMap<>();
            for (WebhookReceiver.Received r : receiver.received()) {
                perDelivery.merge(r.header("X-Flotilla-Delivery"), 1, Integer::sum);
                JsonNode body = ServiceProcess.JSON.readTree(r.body());
                perRollout.merge(body.path("data").path("rolloutId").asText(), 1, Integer::sum);
                assertEquals(Signature.of("restart-secret", r.body()), r.header("X-Flotilla-Signature"));
            }
            assertEquals(4, receiver.received().size(), perDelivery.toString());
            assertTrue(perDelivery.values().stream().allMatch(n -> n == 1), "each delivery once: " + perDelivery);
            assertEquals(Map.of(first, 2, second, 2), perRollout);
            System.out.printf("[it] WebhookRestartIT: 2 deliveries refused by a closed port on A, sent once by B,"
                    + " not again by C (which sent its own 2)%n");
        }
    }

    private String rollout(ServiceProcess p) throws Exception {
        HttpResponse<String> created = p.post("/api/v1/rollouts", "{}");
        assertEquals(202, created.statusCode(), created.body() + logs().get());
        String id = ServiceProcess.json(created).path("id").asText();
        Poll.until("rollout " + id + " to end", Duration.ofSeconds(90), () -> p.rollout(id), RolloutJson::terminal,
                r -> RolloutJson.summary(r) + logs().get());
        return id;
    }
}
