package io.flotilla.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.flotilla.client.ApiException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Map;

/**
 * The one mapping of a failed HTTP call (the generated client's {@link ApiException}, whose body is the service's
 * {@code application/problem+json}) to an exit code and a message a person can act on.
 */
final class Failures {

    static final String MIGRATION_FAILED = "urn:flotilla:problem:migration-failed";
    static final String SCHEMA_BUSY = "urn:flotilla:problem:schema-busy";

    private Failures() {
    }

    /**
     * The exit code of a refused request: a migration that failed is 1, a schema busy under another migration 4 (gave
     * up waiting for its lock), anything else the service refused or failed at is 2.
     */
    static ExitCode exitCode(int status, String problemType) {
        if (MIGRATION_FAILED.equals(problemType)) {
            return ExitCode.FAILED;
        }
        if (SCHEMA_BUSY.equals(problemType)) {
            return ExitCode.GAVE_UP;
        }
        return ExitCode.USAGE;
    }

    /** {@code e} as the verb reports it; {@code connection} says where the call went and with which token. */
    static CliFailure of(ApiException e, ServiceConnection connection) {
        if (e.getCode() == 0) {
            return unreachable(e, connection);
        }
        int status = e.getCode();
        Map<String, Object> problem = problem(e.getResponseBody());
        String type = problem == null ? null : text(problem.get("type"));
        String detail = problem == null ? null : firstText(problem.get("detail"), problem.get("title"));
        String role = connection.tokens().role().value();
        String message;
        if (status == 401) {
            message = connection.tokens().none()
                    ? "the service needs a token: pass --token or set FLOTILLA_TOKEN (`flotilla token --role " + role
                    + "` mints one), or let the command sign its own by making the signing key readable"
                    + " (SMALLRYE_JWT_SIGN_KEY_LOCATION)"
                    : "the service refused the token (" + connection.tokens().origin() + "): "
                    + (detail == null ? "HTTP 401" : detail) + "; mint one with `flotilla token --role " + role + "`";
        } else if (status == 403) {
            message = "the token (" + connection.tokens().origin() + ") may not do this: "
                    + (detail == null ? "HTTP 403" : detail) + "; this needs role " + role
                    + ": mint one with `flotilla token --role " + role + "`";
        } else if (problem == null) {
            message = "HTTP " + status + " from " + connection.url() + " (not a Flotilla problem answer: is "
                    + connection.url() + " the Flotilla service?)" + snippet(e.getResponseBody());
        } else {
            message = (detail == null ? "HTTP " + status : detail) + " (HTTP " + status + (type == null || type.equals("about:blank")
                    ? "" : ", " + type) + ")";
        }
        return new CliFailure(exitCode(status, type), message, status, type, problem, null);
    }

    private static CliFailure unreachable(ApiException e, ServiceConnection connection) {
        Throwable cause = e.getCause();
        String where = connection.url() + " (" + connection.urlOrigin() + ")";
        String message;
        if (cause instanceof HttpConnectTimeoutException) {
            message = "cannot connect to the service at " + where + ": timed out; set FLOTILLA_URL or --url";
        } else if (cause instanceof HttpTimeoutException) {
            message = "the service at " + where + " did not answer in time";
        } else if (cause instanceof ConnectException || hasCause(cause, UnresolvedAddressException.class)) {
            message = "cannot connect to the service at " + where + ": "
                    + (hasCause(cause, UnresolvedAddressException.class) ? "unknown host" : "connection refused")
                    + "; is it running? Point FLOTILLA_URL or --url at it";
        } else if (cause instanceof InterruptedException) {
            message = "interrupted while waiting for " + where;
        } else if (cause instanceof IOException io) {
            message = "cannot talk to the service at " + where + ": " + io;
        } else {
            message = "the call to " + where + " failed: " + (cause == null ? e.getMessage() : cause.toString());
        }
        return new CliFailure(ExitCode.USAGE, message, null, null, null, null);
    }

    /** The problem+json body as a map, or null when the body is not a JSON object with a type or title. */
    static Map<String, Object> problem(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            Map<String, Object> map = Output.JSON.readValue(body, new TypeReference<Map<String, Object>>() {
            });
            return map != null && (map.containsKey("type") || map.containsKey("title")) ? map : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static String firstText(Object... values) {
        for (Object v : values) {
            if (v != null && !v.toString().isBlank()) {
                return v.toString();
            }
        }
        return null;
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine);
    }
}
