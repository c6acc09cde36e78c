package io.flotilla.ledger;

import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.catalog.Direction;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.util.Arrays;
import java.util.Locale;

/** A ledger row's status: running, then applied (up) or rolled_back (down), or failed. */
public enum StepStatus {
    RUNNING, APPLIED, FAILED, ROLLED_BACK;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Applied and rolled_back settle whether a version is in the schema; running and failed don't. */
    public boolean settled() {
        return this == APPLIED || this == ROLLED_BACK;
    }

    /** The status a successful step of this direction ends in. */
    public static StepStatus successOf(Direction direction) {
        return direction == Direction.UP ? APPLIED : ROLLED_BACK;
    }

    public static StepStatus parse(String text) {
        return Arrays.stream(values()).filter(s -> s.value().equals(text)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_STATUS,
                        "ledger status must be one of running, applied, failed, rolled_back; got '" + text + "'"));
    }
}
