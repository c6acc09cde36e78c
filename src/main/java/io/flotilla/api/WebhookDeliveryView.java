package io.flotilla.api;

import io.flotilla.notify.WebhookDelivery;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One event sent (or being sent) to one subscription. */
@Schema(name = "WebhookDelivery")
public record WebhookDeliveryView(
        @Schema(description = "The X-Flotilla-Delivery header: the same on every attempt") UUID id,
        @Schema(description = "The event's id (the body's id), shared by the deliveries of one event") UUID eventId,
        @Schema(implementation = WebhookEvent.class) String type,
        @Schema(enumeration = {"pending", "delivered", "failed"},
                description = "pending: waiting for its next attempt; failed: no 2xx within the retry period") String status,
        int attempts,
        @Schema(description = "HTTP status of the last answer; absent before the first or when none came",
                nullable = true) Integer lastAnswer,
        @Schema(description = "Why the last attempt did not deliver; absent when it did", nullable = true) String lastError,
        OffsetDateTime createdAt,
        @Schema(description = "When the next attempt is due; absent once delivered or failed", nullable = true)
        OffsetDateTime nextAttemptAt,
        @Schema(nullable = true) OffsetDateTime deliveredAt) {

    static WebhookDeliveryView of(WebhookDelivery d) {
        return new WebhookDeliveryView(d.id(), d.eventId(), d.eventType(), d.status(), d.attempts(), d.lastStatus(),
                d.lastError(), d.createdAt(), d.nextAttemptAt(), d.deliveredAt());
    }
}
