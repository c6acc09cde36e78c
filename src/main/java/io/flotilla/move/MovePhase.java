package io.flotilla.move;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Arrays;

/** Where a move stands: preparing, copying, catching-up, cutting-over, then done, failed or cancelled. */
@Schema(name = "MovePhase", enumeration = {"preparing", "copying", "catching-up", "cutting-over", "done", "failed",
        "cancelled"})
public enum MovePhase {
    PREPARING("preparing"),
    COPYING("copying"),
    CATCHING_UP("catching-up"),
    CUTTING_OVER("cutting-over"),
    DONE("done"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String value;

    MovePhase(String value) {
        this.value = value;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String value() {
        return value;
    }

    public boolean finished() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }

    public static MovePhase of(String value) {
        return Arrays.stream(values()).filter(p -> p.value.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown move phase " + value));
    }
}
