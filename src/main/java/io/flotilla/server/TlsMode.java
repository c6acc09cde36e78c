package io.flotilla.server;

import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.vertx.pgclient.SslMode;

import java.util.Arrays;
import java.util.Map;

/** libpq's sslmode values a server may be reached with; the same word for the JDBC driver and the reactive client. */
public enum TlsMode {
    DISABLE(SslMode.DISABLE), PREFER(SslMode.PREFER), REQUIRE(SslMode.REQUIRE), VERIFY_CA(SslMode.VERIFY_CA),
    VERIFY_FULL(SslMode.VERIFY_FULL);

    private final SslMode reactive;

    TlsMode(SslMode reactive) {
        this.reactive = reactive;
    }

    /** As libpq and pgjdbc spell it: {@code verify-full}. */
    @JsonValue
    public String value() {
        return name().toLowerCase().replace('_', '-');
    }

    public SslMode reactive() {
        return reactive;
    }

    /** Certificates checked against a CA (and, for verify-full, the host name), as libpq does. */
    public boolean verifies() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    public static TlsMode from(String value) {
        return Arrays.stream(values()).filter(m -> m.value().equals(value)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_SERVER,
                        "tlsMode must be one of disable, prefer, require, verify-ca, verify-full; got '" + value + "'",
                        Map.of("field", "tlsMode")));
    }
}
