package io.flotilla.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.util.Arrays;
import java.util.Map;

/** Whether a server takes new companies (active), keeps its companies but takes no new ones (draining), or is left alone (offline). */
public enum ServerState {
    ACTIVE, DRAINING, OFFLINE;

    @JsonValue
    public String value() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static ServerState from(String value) {
        return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_SERVER,
                        "state must be one of active, draining, offline; got '" + value + "'", Map.of("field", "state")));
    }
}
