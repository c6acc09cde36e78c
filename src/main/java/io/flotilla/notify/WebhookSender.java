package io.flotilla.notify;

import io.flotilla.config.Periodic;
import io.flotilla.sql.Sessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Sends the recorded deliveries. Every replica runs a pass every {@code flotilla.webhooks.poll-interval}: it claims due
 * rows with {@code FOR UPDATE SKIP LOCKED} and moves their next attempt past the time an attempt can take (a lease),
 * commits, sends outside any transaction, then records each answer. So two replicas never send one delivery at once,
 * and a replica that dies mid-send leaves its deliveries to the next pass after the lease (at least once; the
 * {@code X-Flotilla-Delivery} id lets a receiver drop that rare repeat). A delivered row is never claimed again.
 *
 * <p>The JDK's {@link HttpClient}: no new dependency (the Vert.x web client is not on the class path), asynchronous
 * sends that do not block the pass's thread, per-request timeouts, no redirects followed.
 */
@ApplicationScoped
public class WebhookSender {

    /** What one attempt needs, read in the claiming transaction. */
    record Attempt(UUID deliveryId, String eventType, String url, String secret, String payload) {
    }

    private final Sessions sessions;
    private final WebhookRepository subscriptions;
    private final DeliveryRepository deliveries;
    private final WebhookConfig config;
    private final MeterRegistry metrics;
    private final HttpClient http;
    private Periodic timer;

    public WebhookSender(Sessions sessions, WebhookRepository subscriptions, DeliveryRepository deliveries,
                         WebhookConfig config, MeterRegistry metrics) {
        this.sessions = sessions;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.config = config;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        // Every outcome's series exists from the start at 0, so an alert's increase() has a series before the first one.
        for (String outcome : List.of(WebhookDelivery.Status.DELIVERED.value(), "retry",
                WebhookDelivery.Status.FAILED.value())) {
            deliveryCounter(outcome);
        }
    }

    private Counter deliveryCounter(String outcome) {
        return Counter.builder("flotilla.webhook.deliveries").description("Webhook delivery attempts by outcome")
                .tag("outcome", outcome).register(metrics);
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.pollInterval();
        timer = Periodic.start("flotilla-webhook-sender", every, every, lease(), "Webhook delivery pass", this::pass);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /** Longer than an attempt can take (connect, then answer), so a lease never ends while its sender still waits. */
    private Duration lease() {
        return config.timeout().multipliedBy(2).plusSeconds(30);
    }

    /** One pass: claims what is due, sends it, records the answers; the number of attempts made. */
    public Uni<Integer> pass() {
        return claim().flatMap(attempts -> attempts.isEmpty() ? Uni.createFrom().item(0)
                : Multi.createFrom().iterable(attempts)
                        .onItem().transformToUni(this::send).merge(config.batch())
                        .collect().asList().map(List::size));
    }

    private Uni<List<Attempt>> claim() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return sessions.withTransaction(() -> deliveries.due(now, config.batch()).flatMap(due -> {
            due.forEach(d -> d.lease(now.plus(lease())));
            return subscriptions.byIds(due.stream().map(WebhookDelivery::subscriptionId).distinct().toList())
                    .map(subs -> {
                        Map<UUID, WebhookSubscription> byId = subs.stream()
                                .collect(Collectors.toMap(WebhookSubscription::id, Function.identity()));
                        return due.stream().filter(d -> byId.containsKey(d.subscriptionId())).map(d -> {
                            WebhookSubscription s = byId.get(d.subscriptionId());
                            return new Attempt(d.id(), d.eventType(), s.url(), s.secret(), d.payload());
                        }).toList();
                    });
        }));
    }

    private Uni<Void> send(Attempt attempt) {
        byte[] body = attempt.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(attempt.url())).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Flotilla-Webhooks")
                .header(Signature.HEADER, Signature.of(attempt.secret(), body))
                .header(Signature.DELIVERY_HEADER, attempt.deliveryId().toString())
                .header(Signature.EVENT_HEADER, attempt.eventType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .map(response -> new Answer(response.statusCode(), response.statusCode() / 100 == 2 ? null
                        : "HTTP " + response.statusCode()))
                .onFailure().recoverWithItem(e -> new Answer(null, why(e)))
                .flatMap(answer -> record(attempt, answer));
    }

    /** The exception's name and the first message along its causes (the JDK's ConnectException has none itself). */
    private static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return e.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private record Answer(Integer status, String error) {
    }

    /** The attempt's answer; on no 2xx, the next attempt after an exponential wait, or failed once past give-up. */
    private Uni<Void> record(Attempt attempt, Answer answer) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return sessions.withTransaction(() -> deliveries.findById(attempt.deliveryId()).invoke(d -> {
            if (d == null) {
                return; // its subscription was deleted meanwhile
            }
            OffsetDateTime retryAt = now.plus(backoff(d.attempts() + 1));
            OffsetDateTime giveUp = (d.createdAt() == null ? now : d.createdAt()).plus(config.giveUpAfter());
            d.attempted(answer.status(), answer.error(), now, retryAt.isAfter(giveUp) ? null : retryAt);
            String outcome = d.status();
            if (!WebhookDelivery.Status.DELIVERED.value().equals(outcome)) {
                Log.debugf("Webhook delivery %s to %s: %s (attempt %d, %s)", d.id(), attempt.url(), answer.error(),
                        d.attempts(), outcome);
            }
            deliveryCounter(WebhookDelivery.Status.PENDING.value().equals(outcome) ? "retry" : outcome).increment();
        })).replaceWithVoid();
    }

    /** After the {@code n}th failed attempt: backoff × 2^(n-1), at most max-backoff. */
    Duration backoff(int attempts) {
        Duration wait = config.backoff().multipliedBy(1L << Math.min(attempts - 1, 30));
        return wait.compareTo(config.maxBackoff()) > 0 || wait.isNegative() ? config.maxBackoff() : wait;
    }
}
