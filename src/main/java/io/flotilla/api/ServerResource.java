package io.flotilla.api;

import io.flotilla.adoption.DiscoveryService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.security.Role;
import io.flotilla.server.NewServer;
import io.flotilla.server.ServerCounts;
import io.flotilla.server.ServerService;
import io.flotilla.server.ServerState;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
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

@Path("/api/v1/servers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Servers")
public class ServerResource {

    private final ServerService service;
    private final DiscoveryService discovery;

    public ServerResource(ServerService service, DiscoveryService discovery) {
        this.service = service;
        this.discovery = discovery;
    }

    @GET
    @Path("/{name}/discover")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "discoverSchemas",
            summary = "The schemas on a server that another tool migrated and that are no company yet (role operator)",
            description = "Schemas holding a history table Flotilla reads (flyway_schema_history, schema_migrations,"
                    + " goose_db_version, _prisma_migrations, databasechangelog; historyTable adds a name, read as the"
                    + " catalog's tool), with the tool, the latest version applied, whether the history is dirty or"
                    + " failed and how many entries it has applied. One catalog query for the whole server and the"
                    + " history tables read many to a query. Only reads; POST /api/v1/companies/adopt adopts them.")
    @APIResponse(responseCode = "200", description = "The schemas, by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = DiscoveredSchemaView.class)))
    @APIResponse(responseCode = "400", description = "historyTable is not a plain table name (invalid-request)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No server with this name (server-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<DiscoveredSchemaView>> discover(@Parameter(description = "Server name") @PathParam("name") String name,
                                                    @Parameter(description = "One more history table name to look for")
                                                    @QueryParam("historyTable") String historyTable) {
        return discovery.discover(name, historyTable).map(all -> all.stream().map(DiscoveredSchemaView::of).toList());
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listServers",
            summary = "Every tenant server (home first) with its reachability and company counts",
            description = "Never a password: passwordFrom says where it is read. companies counts the server's"
                    + " companies that are not deleted; pending and failed count its active companies as /fleet does.")
    @APIResponse(responseCode = "200", description = "Every registered server",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ServerView.class)))
    public Uni<List<ServerView>> list() {
        return service.list().map(all -> all.stream().map(ServerView::of).toList());
    }

    @GET
    @Path("/{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getServer", summary = "One tenant server")
    @APIResponse(responseCode = "200", description = "The server",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerView.class)))
    @APIResponse(responseCode = "404", description = "No server with this name (server-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<ServerView> get(@Parameter(description = "Server name") @PathParam("name") String name) {
        return service.get(name).map(ServerView::of);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "registerServer",
            summary = "Register a PostgreSQL server for tenant schemas (role admin)",
            description = "Connects (5 s at most) with the password read from passwordFrom, refuses the control"
                    + " plane's own database, reads server_version and the available extensions, installs Flotilla's"
                    + " ledger tables there (Flyway, history table flotilla_schema_history) and records the server,"
                    + " active. Nothing is recorded when a step fails. The password is never stored.")
    @APIResponse(responseCode = "201", description = "Registered",
            headers = @Header(name = "Location", description = "The server", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerView.class)))
    @APIResponse(responseCode = "400", description = "A field is missing or invalid (invalid-server, names the field);"
            + " unknown field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: registering needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The name is taken (server-name-taken), or the server is the"
            + " control plane's own database (server-is-home)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The password's variable or file is missing (server-credentials);"
            + " the server does not answer, refuses the login or Flotilla's tables cannot be installed"
            + " (server-unreachable, with PostgreSQL's error)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> register(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ServerRequest.class))) ServerRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "A JSON body with name, host, database, user and connectionBudget is required");
        }
        PasswordFrom from = body.passwordFrom();
        return service.register(new NewServer(body.name(), body.host(), body.port(), body.database(), body.user(),
                        body.tlsMode(), from == null ? null : from.env(), from == null ? null : from.file(),
                        body.connectionBudget(), body.schemaCapacity()))
                .map(s -> Response.created(URI.create("/api/v1/servers/" + s.name()))
                        .entity(ServerView.of(s, ServerCounts.NONE)).build());
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "updateServer",
            summary = "Change a server's state, connection budget or schema capacity (role admin)")
    @APIResponse(responseCode = "200", description = "The server as changed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerView.class)))
    @APIResponse(responseCode = "400", description = "Nothing to change, an invalid state or a value below 1"
            + " (invalid-server, names the field); unknown field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: changing a server needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No server with this name (server-not-found)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "home cannot go offline (server-state)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<ServerView> update(@Parameter(description = "Server name") @PathParam("name") String name,
                                  @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                          schema = @Schema(implementation = ServerPatch.class))) ServerPatch body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "A JSON body with state, connectionBudget and/or schemaCapacity is required");
        }
        ServerState state = body.state() == null ? null : ServerState.from(body.state());
        return service.update(name, state, body.connectionBudget(), body.schemaCapacity())
                .flatMap(s -> service.get(s.name())).map(ServerView::of);
    }
}
