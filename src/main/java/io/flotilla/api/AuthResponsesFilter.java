package io.flotilla.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Every {@code /api/v1} operation answers 401 without a valid bearer token: the roles are checked by path and method
 * in application.properties, not by annotations, so the contract gets that response here, once, rather than on each
 * operation. Runs at build time so that the stored {@code openapi.yaml} has it too. 403 stays per operation, where
 * the role it needs is said.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class AuthResponsesFilter implements OASFilter {

    static final String API = "/api/v1/";
    /** Declared once under components/responses, referred to by each operation. */
    static final String UNAUTHORIZED = "Unauthorized";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getComponents().addResponse(UNAUTHORIZED, OASFactory.createAPIResponse()
                .description("No bearer token, or one that is expired, not signed with the service's key or from"
                        + " another issuer")
                .content(OASFactory.createContent().addMediaType("application/problem+json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem")))));
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith(API)) {
                item.getOperations().values().forEach(operation -> unauthorized(operation.getResponses()));
            }
        });
    }

    private static void unauthorized(APIResponses responses) {
        if (responses != null && !responses.hasAPIResponse("401")) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().ref(UNAUTHORIZED));
        }
    }
}
