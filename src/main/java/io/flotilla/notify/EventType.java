package io.flotilla.notify;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.util.Arrays;
import java.util.Map;

/** The events a webhook may ask for: a closed list, named as they appear in a delivery's {@code type}. */
public enum EventType {
    ROLLOUT_SCHEDULED("rollout.scheduled"),
    ROLLOUT_STARTED("rollout.started"),
    ROLLOUT_PAUSED("rollout.paused"),
    ROLLOUT_RESUMED("rollout.resumed"),
    ROLLOUT_SUCCEEDED("rollout.succeeded"),
    ROLLOUT_FAILED("rollout.failed"),
    ROLLOUT_CANCELLED("rollout.cancelled"),
    COMPANY_STEP_FAILED("company.step-failed"),
    COMPANY_LOCK_TIMEOUT("company.lock-timeout"),
    MAINTENANCE_FAILED("maintenance.failed"),
    SERVER_UNREACHABLE("server.unreachable"),
    SERVER_REACHABLE("server.reachable");

    private final String value;

    EventType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The event named so; 400 invalid-webhook naming the known ones otherwise. */
    public static EventType parse(String value) {
        return Arrays.stream(values()).filter(t -> t.value.equals(value)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_WEBHOOK, "Unknown event '" + value
                        + "'; known: " + Arrays.stream(values()).map(EventType::value).toList(),
                        Map.of("field", "events")));
    }
}
