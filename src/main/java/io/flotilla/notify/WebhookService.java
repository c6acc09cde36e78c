package io.flotilla.notify;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.Sessions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Webhook subscriptions: validated here, stored through Panache; their deliveries as recorded by the sender. */
@ApplicationScoped
public class WebhookService {

    /** A subscription as asked for; fields unchecked until {@link #create}. */
    public record NewWebhook(String url, List<String> events, String secret, Boolean slack) {
    }

    private final Sessions sessions;
    private final WebhookRepository subscriptions;
    private final DeliveryRepository deliveries;

    public WebhookService(Sessions sessions, WebhookRepository subscriptions, DeliveryRepository deliveries) {
        this.sessions = sessions;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
    }

    /** Checks every field first (400 invalid-webhook naming it), so that nothing is stored when one is wrong. */
    public Uni<WebhookSubscription> create(NewWebhook request) {
        String url = url(request.url());
        if (request.events() == null || request.events().isEmpty()) {
            throw invalid("events", "events must list at least one event");
        }
        List<EventType> events = request.events().stream().map(EventType::parse).toList();
        String secret = request.secret();
        if (secret == null || secret.isBlank() || secret.length() > 1024) {
            throw invalid("secret", "secret is required (1 to 1024 characters): it signs every delivery");
        }
        WebhookSubscription subscription = new WebhookSubscription(url, events, secret,
                Boolean.TRUE.equals(request.slack()));
        return sessions.withTransaction(() -> subscriptions.persist(subscription));
    }

    public Uni<List<WebhookSubscription>> list() {
        return sessions.withSession(subscriptions::all);
    }

    public Uni<WebhookSubscription> get(UUID id) {
        return sessions.withSession(() -> subscriptions.findById(id)).onItem().ifNull().failWith(() -> notFound(id));
    }

    /** Deletes the subscription and its deliveries (pending ones are not sent). */
    public Uni<Void> delete(UUID id) {
        return sessions.withTransaction(() -> subscriptions.deleteById(id))
                .map(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                    return null;
                });
    }

    /** The subscription's latest deliveries, newest first; 404 when there is no such subscription. */
    public Uni<List<WebhookDelivery>> deliveries(UUID id, int limit) {
        if (limit < 1 || limit > 500) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 500");
        }
        return get(id).flatMap(s -> sessions.withSession(() -> deliveries.of(id, limit)));
    }

    private static String url(String value) {
        if (value == null || value.isBlank()) {
            throw invalid("url", "url is required: an http or https URL");
        }
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getUserInfo() != null) {
                throw invalid("url", "url must be an http or https URL with a host (and no user info), got '" + value + "'");
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw invalid("url", "url is not a valid URL: " + e.getMessage());
        }
    }

    private static FlotillaException invalid(String field, String detail) {
        return new FlotillaException(ErrorCode.INVALID_WEBHOOK, detail, Map.of("field", field));
    }

    private static FlotillaException notFound(UUID id) {
        return new FlotillaException(ErrorCode.WEBHOOK_NOT_FOUND, "No webhook subscription with id " + id);
    }
}
