package io.flotilla.move;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * How the rows travel: {@code logical} (a subscription on the target to a publication on the source; the write pause
 * is the last catch-up) or {@code copy} (the source has no logical WAL: every row is copied inside the write pause).
 */
@Schema(name = "MoveMethod", enumeration = {"logical", "copy"})
public enum MoveMethod {
    LOGICAL("logical"),
    COPY("copy");

    private final String value;

    MoveMethod(String value) {
        this.value = value;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String value() {
        return value;
    }

    public static MoveMethod of(String value) {
        return "logical".equals(value) ? LOGICAL : COPY;
    }
}
