package io.flotilla.api;

import io.flotilla.notify.WebhookSubscription;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A webhook subscription as clients see it: never its secret. */
@Schema(name = "Webhook")
public record WebhookView(UUID id, String url,
                          @Schema(type = SchemaType.ARRAY, implementation = WebhookEvent.class) List<String> events,
                          boolean slack, OffsetDateTime createdAt) {

    static WebhookView of(WebhookSubscription s) {
        return new WebhookView(s.id(), s.url(), s.events(), s.slack(), s.createdAt());
    }
}
