package io.flotilla.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Every {@code /api/v1} operation answers 401 without a valid bearer token and 403 to a token whose role is below the
 * one its resource method declares ({@code @RolesAllowed}; Quarkus puts that role in the operation's
 * {@code security: - bearer: [role]}, and adds bare 401/403 responses). Here both become one shared response each,
 * declared once under components/responses with the {@code Problem} body the service really sends. An operation's own
 * 403, one that says more (who may reset), is kept. Runs at build time so that the stored {@code openapi.yaml} has it.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class AuthResponsesFilter implements OASFilter {

    static final String API = "/api/v1/";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    /** What Quarkus' own security filter writes, replaced here. */
    private static final String GENERATED_403 = "Not Allowed";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getComponents().addResponse(UNAUTHORIZED, problem("No bearer token, or one that is expired, not signed"
                + " with the service's key or from another issuer"));
        openAPI.getComponents().addResponse(FORBIDDEN, problem("The token's role is below the one this operation"
                + " needs (its security requirement names it; each role includes the ones before: viewer, operator,"
                + " admin)"));
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith(API)) {
                item.getOperations().values().forEach(operation -> shared(operation.getResponses()));
            }
        });
    }

    static APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(ProblemMapper.PROBLEM_JSON,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"))));
    }

    private static void shared(APIResponses responses) {
        if (responses == null) {
            return;
        }
        responses.addAPIResponse("401", OASFactory.createAPIResponse().ref(UNAUTHORIZED));
        APIResponse forbidden = responses.getAPIResponse("403");
        if (forbidden == null || GENERATED_403.equals(forbidden.getDescription())) {
            responses.addAPIResponse("403", OASFactory.createAPIResponse().ref(FORBIDDEN));
        }
    }
}
