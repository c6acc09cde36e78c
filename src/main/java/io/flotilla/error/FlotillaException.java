package io.flotilla.error;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one exception root: a code, a human detail, and optional machine-readable extension members. */
public class FlotillaException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> extensions;

    public FlotillaException(ErrorCode code, String detail) {
        this(code, detail, Map.of(), null);
    }

    public FlotillaException(ErrorCode code, String detail, Map<String, ?> extensions) {
        this(code, detail, extensions, null);
    }

    public FlotillaException(ErrorCode code, String detail, Map<String, ?> extensions, Throwable cause) {
        super(detail, cause);
        this.code = code;
        this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
