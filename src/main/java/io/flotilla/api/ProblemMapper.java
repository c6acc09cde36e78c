package io.flotilla.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.HomeOutage;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The one place errors become HTTP: RFC 9457 {@code application/problem+json} for every failure. */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";

    private final HomeOutage outage;
    private final Refusals refusals;

    public ProblemMapper(HomeOutage outage, Refusals refusals) {
        this.outage = outage;
        this.refusals = refusals;
    }

    @ServerExceptionMapper
    public Uni<Response> flotilla(FlotillaException e, UriInfo uri, HttpServerRequest request) {
        if (e.code() == ErrorCode.FORBIDDEN) {
            // A rule only the body can tell (a rollback needs admin): logged as every refusal is.
            return refusals.log(request, e.getMessage()).map(role -> flotilla(e, uri));
        }
        return Uni.createFrom().item(flotilla(e, uri));
    }

    static Response flotilla(FlotillaException e, UriInfo uri) {
        if (e.code().status() >= 500) {
            Log.warnf("%s: %s", e.code(), e.getMessage());
        }
        return problem(e.code().status(), e.code().type(), e.code().title(), e.getMessage(), uri, e.extensions());
    }

    /** No token, an expired one, or one signed by another key. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e, UriInfo uri) {
        return Response.fromResponse(problem(401, ErrorCode.UNAUTHORIZED.type(), ErrorCode.UNAUTHORIZED.title(),
                        "Send 'Authorization: Bearer <token>' with a valid, unexpired token signed by this service's key",
                        uri, Map.of()))
                .header("WWW-Authenticate", "Bearer").build();
    }

    /** A role too small for the method the request reached (its {@code @RolesAllowed}), whatever the URL's spelling. */
    @ServerExceptionMapper
    public Uni<Response> forbidden(ForbiddenException e, UriInfo uri, HttpServerRequest request, ResourceInfo resource) {
        RolesAllowed declared = resource == null || resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
        String needs = declared == null || declared.value().length == 0 ? "a role this token lacks"
                : String.join(" or ", declared.value());
        return refusals.log(request, "needs " + needs).map(role -> problem(403, ErrorCode.FORBIDDEN.type(),
                ErrorCode.FORBIDDEN.title(), "Your token's role (" + role + ") may not do this: it needs " + needs
                        + ". Reads need viewer, changes operator; deletions, rollbacks, resets and servers admin",
                uri, Map.of()));
    }

    @ServerExceptionMapper
    public Uni<Response> composite(CompositeException e, UriInfo uri, HttpServerRequest request) {
        // Mutiny wraps a failure and the failure of its clean-up; the first one is what went wrong.
        Throwable first = e.getCauses().get(0);
        if (first instanceof FlotillaException f) {
            return flotilla(f, uri, request);
        }
        return Uni.createFrom().item(unexpected(first, uri));
    }

    /** Quarkus maps this subtype itself; ours must be at least as specific to win. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
        return unreadableJson(e, uri);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
        String detail = e instanceof UnrecognizedPropertyException u
                ? "Unknown field '" + u.getPropertyName() + "'; expected one of " + u.getKnownPropertyIds()
                : "Request body is not valid JSON for this endpoint: " + e.getOriginalMessage();
        return problem(400, ErrorCode.INVALID_REQUEST.type(), ErrorCode.INVALID_REQUEST.title(), detail, uri, Map.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return unreadableJson(json, uri);
        }
        String title = Response.Status.fromStatusCode(status) == null ? "HTTP " + status
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        return problem(status, "about:blank", title, e.getMessage(), uri, Map.of());
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (e instanceof FlotillaException f) {
            return flotilla(f, uri);
        }
        if (HomeOutage.connectionLost(e)) {
            // A database that went away is a 503, not a bug: one line (none while home's outage is already told),
            // not a stack trace per request.
            if (outage.away()) {
                Log.debugf("%s answered 503: %s", uri.getPath(), e.getMessage());
            } else {
                Log.warnf("%s answered 503, a database connection failed: %s", uri.getPath(), e.getMessage());
            }
            return problem(503, ErrorCode.SERVER_UNAVAILABLE.type(), ErrorCode.SERVER_UNAVAILABLE.title(),
                    "A PostgreSQL connection failed (the database is restarting or unreachable); retry later: "
                            + e.getMessage(), uri, Map.of());
        }
        Log.error("Unexpected failure serving " + uri.getPath(), e);
        return problem(500, "about:blank", "Internal error", "Unexpected " + e.getClass().getSimpleName()
                + ": " + e.getMessage(), uri, Map.of());
    }

    static Response problem(int status, String type, String title, String detail, UriInfo uri,
                            Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", uri == null ? null : uri.getPath());
        extensions.forEach(body::putIfAbsent);
        // A member without a value is left out, as in every answer (AbsentNulls): a map's entries are not fields to
        // Jackson, so it would keep them.
        body.values().removeIf(Objects::isNull);
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }
}
