package io.flotilla.api;

import io.flotilla.error.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body over {@code quarkus.http.limits.max-body-size} answered as every other refusal is, with a problem+json 413:
 * Vert.x's own limit, which runs before any resource, ends such a request with an empty 413. This route runs before
 * it and decides from the Content-Length alone, so nothing of the body is read; a chunked body (no Content-Length)
 * still meets Vert.x's limit as it streams in.
 */
@ApplicationScoped
public class BodyLimit {

    /** Before Quarkus' own upload-limit route (its order is a small negative number). */
    private static final int ORDER = -10_000;

    private final long max;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        this.max = max.asLongValue();
    }

    void install(@Observes Router router) {
        router.route(AuthResponsesFilter.API + "*").order(ORDER).handler(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared <= max) {
                rc.next();
                return;
            }
            ErrorCode code = ErrorCode.PAYLOAD_TOO_LARGE;
            String body = new JsonObject().put("type", code.type()).put("title", code.title()).put("status", 413)
                    .put("detail", "The request body (" + declared + " bytes) is larger than this service takes ("
                            + max + " bytes, quarkus.http.limits.max-body-size); nothing was read or changed")
                    .put("instance", rc.request().path()).encode();
            rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                    .putHeader(HttpHeaders.CONNECTION, "close").end(body);
        });
    }
}
