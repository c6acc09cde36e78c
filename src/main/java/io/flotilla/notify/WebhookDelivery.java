package io.flotilla.notify;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * One event for one subscription: a row of {@code public.webhook_deliveries}, written when the event happened and
 * changed by each attempt. Its id is the {@code X-Flotilla-Delivery} header, the same on every retry, so a receiver
 * can drop a repeat.
 */
@Entity
@Table(name = "webhook_deliveries", schema = "public")
public class WebhookDelivery {

    /** Where a delivery stands: waiting for its (next) attempt, answered with 2xx, or given up after the retry period. */
    public enum Status {
        PENDING, DELIVERED, FAILED;

        public String value() {
            return name().toLowerCase();
        }
    }

    @Id
    private UUID id;

    @Column(name = "subscription_id", nullable = false, updatable = false)
    private UUID subscriptionId;

    @Column(name = "event_id", nullable = false, updatable = false)
    private UUID eventId;

    @Column(name = "event_type", nullable = false, updatable = false)
    private String eventType;

    @Column(nullable = false, updatable = false)
    private String payload;

    @Column(nullable = false)
    private String status;

    @Column(nullable = false)
    private int attempts;

    @Column(name = "last_status")
    private Integer lastStatus;

    @Column(name = "last_error")
    private String lastError;

    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "next_attempt_at", nullable = false)
    private OffsetDateTime nextAttemptAt;

    @Column(name = "delivered_at")
    private OffsetDateTime deliveredAt;

    protected WebhookDelivery() {
    }

    WebhookDelivery(UUID subscriptionId, UUID eventId, EventType type, String payload, OffsetDateTime due) {
        this.id = UUID.randomUUID();
        this.subscriptionId = subscriptionId;
        this.eventId = eventId;
        this.eventType = type.value();
        this.payload = payload;
        this.status = Status.PENDING.value();
        this.nextAttemptAt = due;
    }

    /** Taken by one sender until {@code until}: another replica's claim skips it, and picks it up after if it dies. */
    void lease(OffsetDateTime until) {
        nextAttemptAt = until;
    }

    /** One attempt's outcome: a 2xx delivers; anything else retries at {@code retryAt}, or fails once that is null. */
    void attempted(Integer answer, String error, OffsetDateTime now, OffsetDateTime retryAt) {
        attempts++;
        lastStatus = answer;
        lastError = error;
        if (answer != null && answer >= 200 && answer < 300) {
            status = Status.DELIVERED.value();
            deliveredAt = now;
        } else if (retryAt == null) {
            status = Status.FAILED.value();
        } else {
            nextAttemptAt = retryAt;
        }
    }

    public UUID id() {
        return id;
    }

    public UUID subscriptionId() {
        return subscriptionId;
    }

    public UUID eventId() {
        return eventId;
    }

    public String eventType() {
        return eventType;
    }

    String payload() {
        return payload;
    }

    public String status() {
        return status;
    }

    public int attempts() {
        return attempts;
    }

    public Integer lastStatus() {
        return lastStatus;
    }

    public String lastError() {
        return lastError;
    }

    public OffsetDateTime createdAt() {
        return utc(createdAt);
    }

    /** When the next attempt is due; null once delivered or given up. */
    public OffsetDateTime nextAttemptAt() {
        return Status.PENDING.value().equals(status) ? utc(nextAttemptAt) : null;
    }

    public OffsetDateTime deliveredAt() {
        return utc(deliveredAt);
    }

    private static OffsetDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
    }
}
