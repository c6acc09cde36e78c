package io.flotilla.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.sql.Sessions;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one place the service reports what webhooks may hear. Each method is called after the change it reports has
 * committed, and only records a delivery row per subscription that wants the event (one short transaction); the
 * {@link WebhookSender} sends them. Recording never fails the caller's work: a failure is logged and the event lost,
 * which is the price of not holding the caller's transaction open for it.
 */
@ApplicationScoped
public class Events {

    private final Sessions sessions;
    private final WebhookRepository subscriptions;
    private final DeliveryRepository deliveries;
    private final ObjectMapper json;

    public Events(Sessions sessions, WebhookRepository subscriptions, DeliveryRepository deliveries, ObjectMapper json) {
        this.sessions = sessions;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.json = json;
    }

    /** A rollout changed state: scheduled, started, paused, resumed, succeeded, failed or cancelled. */
    public void rollout(EventType type, UUID rolloutId, String error) {
        emit(type, data("rolloutId", rolloutId, "error", error));
    }

    /** A company's step failed in a rollout (a lock timeout under onLockTimeout "fail" included). */
    public void stepFailed(UUID rolloutId, UUID companyId, String schema, String version, String error) {
        emit(EventType.COMPANY_STEP_FAILED, data("rolloutId", rolloutId, "companyId", companyId, "schemaName", schema,
                "version", version, "error", error));
    }

    /** A company's step spent its lock budget waiting for a table lock (it fails or waits, as the strategy says). */
    public void lockTimeout(UUID rolloutId, UUID companyId, String schema, String version, String error) {
        emit(EventType.COMPANY_LOCK_TIMEOUT, data("rolloutId", rolloutId, "companyId", companyId, "schemaName", schema,
                "version", version, "error", error));
    }

    /** A maintenance run could not finish. */
    public void maintenanceFailed(String job, UUID runId, String error) {
        emit(EventType.MAINTENANCE_FAILED, data("job", job, "runId", runId, "error", error));
    }

    /** A tenant server stopped answering, or answers again. */
    public void server(String name, boolean reachable, String error) {
        emit(reachable ? EventType.SERVER_REACHABLE : EventType.SERVER_UNREACHABLE,
                data("server", name, "error", error));
    }

    private void emit(EventType type, Map<String, Object> data) {
        record(type, data).subscribe().with(n -> Log.debugf("Event %s: %d deliveries recorded", type.value(), n),
                e -> Log.warnf("Event %s not recorded for webhooks: %s", type.value(), e.getMessage()));
    }

    /** Writes one pending delivery per subscription that wants {@code type}; the count written. */
    Uni<Integer> record(EventType type, Map<String, Object> data) {
        UUID eventId = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return sessions.withTransaction(() -> subscriptions.all().flatMap(all -> {
            List<WebhookDelivery> wanted = all.stream().filter(s -> s.wants(type))
                    .map(s -> new WebhookDelivery(s.id(), eventId, type, body(s, eventId, type, now, data), now))
                    .toList();
            return wanted.isEmpty() ? Uni.createFrom().item(0) : deliveries.persist(wanted).replaceWith(wanted.size());
        }));
    }

    /** {id, type, occurredAt, data}; or, for a Slack subscription, {text} in Slack's incoming-webhook form. */
    private String body(WebhookSubscription s, UUID eventId, EventType type, OffsetDateTime at, Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (s.slack()) {
            body.put("text", "Flotilla: " + type.value() + " " + data.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        } else {
            body.put("id", eventId);
            body.put("type", type.value());
            body.put("occurredAt", at.truncatedTo(ChronoUnit.MILLIS).toString());
            body.put("data", data);
        }
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event's data is strings and ids", e);
        }
    }

    /** Pairs of name and value, nulls left out. */
    private static Map<String, Object> data(Object... pairs) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                data.put((String) pairs[i], pairs[i + 1].toString());
            }
        }
        return data;
    }
}
