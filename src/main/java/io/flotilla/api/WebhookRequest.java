package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** A webhook subscription to create. */
@Schema(name = "WebhookRequest")
public record WebhookRequest(
        @Schema(required = true, description = "Where deliveries are POSTed: an http or https URL",
                examples = "https://hooks.example.com/flotilla") String url,
        @Schema(required = true, type = SchemaType.ARRAY, minItems = 1, implementation = WebhookEvent.class,
                description = "The events wanted") List<String> events,
        @Schema(required = true, description = "Signs every delivery (X-Flotilla-Signature); never shown again",
                minLength = 1, maxLength = 1024) String secret,
        @Schema(description = "Send Slack's incoming-webhook body ({\"text\": …}) instead of the event",
                defaultValue = "false") Boolean slack) {
}
