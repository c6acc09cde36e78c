package io.flotilla.rollout;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** (scheduled →) pending → running ⇄ paused → succeeded | failed | cancelled. */
public enum RolloutState {
    SCHEDULED, PENDING, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static RolloutState parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
