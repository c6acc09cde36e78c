package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The contract's name for {@link io.flotilla.notify.EventType}: its values, as a delivery's {@code type} carries them. */
@Schema(name = "WebhookEvent", type = SchemaType.STRING, enumeration = {"rollout.scheduled", "rollout.started",
        "rollout.paused", "rollout.resumed", "rollout.succeeded", "rollout.failed", "rollout.cancelled",
        "company.step-failed", "company.lock-timeout", "maintenance.failed", "server.unreachable", "server.reachable"})
final class WebhookEvent {
    private WebhookEvent() {
    }
}
