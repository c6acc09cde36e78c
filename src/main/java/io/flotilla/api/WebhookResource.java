package io.flotilla.api;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.notify.WebhookService;
import io.flotilla.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

/** Webhook subscriptions and their deliveries; every operation is an admin's (a subscription holds a secret). */
@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhookResource {

    private final WebhookService service;

    public WebhookResource(WebhookService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "createWebhook", summary = "Subscribe a URL to events (role admin)",
            description = "Each event wanted is POSTed to the URL as {id, type, occurredAt, data} (or Slack's {text}),"
                    + " signed with the secret in X-Flotilla-Signature (sha256=<hex HMAC-SHA256 of the body>), with"
                    + " X-Flotilla-Delivery for de-duplication; retried with doubling waits for a day. The secret is"
                    + " never returned.")
    @APIResponse(responseCode = "201", description = "Subscribed",
            headers = @Header(name = "Location", description = "The subscription", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "400", description = "url not http(s), an unknown or no event, no secret"
            + " (invalid-webhook, names the field); unknown field. Nothing is stored.",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WebhookRequest.class))) WebhookRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_WEBHOOK, "A JSON body with url, events and secret is required");
        }
        return service.create(new WebhookService.NewWebhook(body.url(), body.events(), body.secret(), body.slack()))
                .map(s -> Response.created(URI.create("/api/v1/webhooks/" + s.id())).entity(WebhookView.of(s)).build());
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "listWebhooks", summary = "Every webhook subscription, oldest first (role admin)")
    @APIResponse(responseCode = "200", description = "The subscriptions, without their secrets",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = WebhookView.class)))
    public Uni<List<WebhookView>> list() {
        return service.list().map(all -> all.stream().map(WebhookView::of).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "getWebhook", summary = "One webhook subscription (role admin)")
    @APIResponse(responseCode = "200", description = "The subscription, without its secret",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No subscription with this id (webhook-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<WebhookView> get(@Parameter(description = "Subscription id", schema = @Schema(type = SchemaType.STRING,
            format = "uuid")) @PathParam("id") String id) {
        return service.get(Params.uuid("id", id)).map(WebhookView::of);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "deleteWebhook", summary = "Unsubscribe: the subscription and its deliveries go (role admin)")
    @APIResponse(responseCode = "204", description = "Deleted; pending deliveries are not sent")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No subscription with this id (webhook-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> delete(@Parameter(description = "Subscription id", schema = @Schema(type = SchemaType.STRING,
            format = "uuid")) @PathParam("id") String id) {
        return service.delete(Params.uuid("id", id)).map(x -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/deliveries")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "listWebhookDeliveries",
            summary = "A subscription's latest deliveries, newest first: status, attempts, last answer (role admin)")
    @APIResponse(responseCode = "200", description = "The deliveries",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = WebhookDeliveryView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID, or limit out of range",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No subscription with this id (webhook-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<WebhookDeliveryView>> deliveries(
            @Parameter(description = "Subscription id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @Parameter(description = "Most deliveries to return", schema = @Schema(type = SchemaType.INTEGER,
                    format = "int32", minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("limit") String limit) {
        return service.deliveries(Params.uuid("id", id), Params.integer("limit", limit, 50, 1, 500))
                .map(all -> all.stream().map(WebhookDeliveryView::of).toList());
    }
}
