package io.flotilla.rollout;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * A company within a rollout. Skipped: nothing to do, or no longer active. Cancelled: never started. Waiting: its
 * server cannot be reached (or is offline), and the rollout runs it when the server is back; or (onLockTimeout
 * "wait") a step of it spent its lock budget and rolled back, and the rollout runs it again after the others until
 * it gets its locks (the rollout is not finished while a company waits; pause or cancel end the wait).
 */
public enum TargetStatus {
    PENDING, RUNNING, WAITING, SUCCEEDED, FAILED, SKIPPED, CANCELLED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
