package io.flotilla.notify;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * One row of {@code public.webhook_subscriptions} (Flyway owns the table): where to send which events, the secret
 * that signs them, and whether the body is Slack's. The secret is kept to sign with; no view ever shows it.
 */
@Entity
@Table(name = "webhook_subscriptions", schema = "public")
public class WebhookSubscription {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String url;

    // text[]: Hibernate Reactive reads jsonb only as an object, not as an array.
    @Column(nullable = false)
    private String[] events;

    @Column(nullable = false)
    private String secret;

    @Column(nullable = false)
    private boolean slack;

    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    protected WebhookSubscription() {
    }

    WebhookSubscription(String url, List<EventType> events, String secret, boolean slack) {
        this.id = UUID.randomUUID();
        this.url = url;
        this.events = events.stream().map(EventType::value).distinct().toArray(String[]::new);
        this.secret = secret;
        this.slack = slack;
    }

    public UUID id() {
        return id;
    }

    public String url() {
        return url;
    }

    public List<String> events() {
        return List.of(events);
    }

    public boolean wants(EventType type) {
        return events().contains(type.value());
    }

    String secret() {
        return secret;
    }

    public boolean slack() {
        return slack;
    }

    public OffsetDateTime createdAt() {
        return createdAt == null ? null : createdAt.withOffsetSameInstant(ZoneOffset.UTC);
    }
}
