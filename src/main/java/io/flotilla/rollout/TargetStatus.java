package io.flotilla.rollout;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * A company within a rollout. Skipped: nothing to do, or no longer active. Cancelled: never started. Waiting: its
 * server cannot be reached (or is offline); the rollout runs it when the server is back.
 */
public enum TargetStatus {
    PENDING, RUNNING, WAITING, SUCCEEDED, FAILED, SKIPPED, CANCELLED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
