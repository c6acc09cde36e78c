package io.flotilla.api;

import io.flotilla.error.ErrorCode;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The problems the service answers, in the contract: the {@code Problem} schema's {@code type} lists every
 * {@link ErrorCode}'s type and {@code about:blank} (HTTP-level errors), so a new code cannot go undeclared; and the
 * statuses that come from HTTP and the database rather than from an operation's own rules, declared on every
 * {@code /api/v1} operation they can reach, each once under components/responses: 406 (every operation produces
 * JSON and refuses an {@code Accept} without it), 503 (a database connection failed; not under
 * {@code /api/v1/migrations}, the catalog read from files at start-up), and for an operation that takes a body 400
 * (not JSON, or an unknown field), 413 (over {@code quarkus.http.limits.max-body-size}: Vert.x answers before any
 * code of ours, with no body, and closes the connection) and 415 (a {@code Content-Type} other than JSON). An
 * operation's own declaration of one of them, which says more, is kept. Build time, like {@link AuthResponsesFilter}.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ProblemResponsesFilter implements OASFilter {

    static final String PROBLEM = "Problem";
    static final String ABOUT_BLANK = "about:blank";
    static final String BAD_REQUEST = "BadRequest";
    static final String NOT_ACCEPTABLE = "NotAcceptable";
    static final String TOO_LARGE = "PayloadTooLarge";
    static final String UNSUPPORTED = "UnsupportedMediaType";
    static final String UNAVAILABLE = "ServiceUnavailable";
    /** Operations that read only the catalog, which is in memory: no database to lose. */
    private static final String CATALOG = AuthResponsesFilter.API + "migrations";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        Schema problem = openAPI.getComponents().getSchemas().get(PROBLEM);
        if (problem != null && problem.getProperties() != null && problem.getProperties().get("type") != null) {
            List<Object> types = new ArrayList<>();
            types.add(ABOUT_BLANK);
            Arrays.stream(ErrorCode.values()).map(ErrorCode::type).forEach(types::add);
            problem.getProperties().get("type").setEnumeration(types);
        }
        Map<String, APIResponse> shared = new LinkedHashMap<>();
        shared.put(BAD_REQUEST, AuthResponsesFilter.problem("The body is not JSON, or not the JSON this operation"
                + " takes (an unknown field, a wrong type)"));
        shared.put(NOT_ACCEPTABLE, AuthResponsesFilter.problem("The Accept header allows no JSON: every answer is"
                + " application/json, or application/problem+json for an error"));
        shared.put(TOO_LARGE, AuthResponsesFilter.problem("The body is larger than quarkus.http.limits.max-body-size"
                + " (10 MiB unless configured; payload-too-large): refused by its Content-Length before it is read,"
                + " and the connection is closed"));
        shared.put(UNSUPPORTED, AuthResponsesFilter.problem("The body's Content-Type is not application/json"));
        shared.put(UNAVAILABLE, AuthResponsesFilter.problem("A PostgreSQL connection failed: the database is"
                + " restarting or cannot be reached (server-unavailable); retry later"));
        Set<String> used = new HashSet<>();
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith(AuthResponsesFilter.API)) {
                item.getOperations().values().forEach(operation -> declare(path, operation, used));
            }
        });
        // Only the ones some operation names: an unused component is a lint error.
        shared.forEach((name, response) -> {
            if (used.contains(name)) {
                openAPI.getComponents().addResponse(name, response);
            }
        });
    }

    private static void declare(String path, Operation operation, Set<String> used) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return;
        }
        shared(responses, "406", NOT_ACCEPTABLE, used);
        if (!path.startsWith(CATALOG)) {
            shared(responses, "503", UNAVAILABLE, used);
        }
        if (operation.getRequestBody() != null) {
            shared(responses, "400", BAD_REQUEST, used);
            shared(responses, "413", TOO_LARGE, used);
            shared(responses, "415", UNSUPPORTED, used);
        }
    }

    private static void shared(APIResponses responses, String status, String name, Set<String> used) {
        if (responses.getAPIResponse(status) == null) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().ref(name));
            used.add(name);
        }
    }
}
