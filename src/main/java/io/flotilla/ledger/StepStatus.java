package io.flotilla.ledger;

import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.catalog.Direction;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.util.Arrays;
import java.util.Locale;

/**
 * A ledger row's status: running, then applied (up) or rolled_back (down), or failed; adopted for a version another
 * tool applied before the schema was adopted (no SQL ran), which counts as applied.
 */
public enum StepStatus {
    RUNNING, APPLIED, FAILED, ROLLED_BACK, ADOPTED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Applied, adopted and rolled_back settle whether a version is in the schema; running and failed don't. */
    public boolean settled() {
        return this == APPLIED || this == ROLLED_BACK || this == ADOPTED;
    }

    /** Whether a settling step leaves its version in the schema. */
    public boolean inSchema() {
        return this == APPLIED || this == ADOPTED;
    }

    /** The status a successful step of this direction ends in. */
    public static StepStatus successOf(Direction direction) {
        return direction == Direction.UP ? APPLIED : ROLLED_BACK;
    }

    public static StepStatus parse(String text) {
        return Arrays.stream(values()).filter(s -> s.value().equals(text)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_STATUS,
                        "ledger status must be one of running, applied, failed, rolled_back, adopted; got '" + text + "'"));
    }
}
