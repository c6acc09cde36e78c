package io.flotilla.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.adoption.AdoptionService;
import io.flotilla.adoption.FleetAdoptionService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.MigrationInfo;
import io.flotilla.migration.ApplyResult;
import io.flotilla.move.MoveService;
import io.flotilla.security.Role;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyDataService;
import io.flotilla.tenant.CompanyService;
import io.flotilla.tenant.CompanyStatus;
import io.flotilla.verification.Verification;
import io.flotilla.verification.VerificationService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.flotilla.api.ProblemMapper.PROBLEM_JSON;

@Path("/api/v1/companies")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Companies")
public class CompanyResource {

    private final CompanyService service;
    private final AdoptionService adoption;
    private final FleetAdoptionService fleet;
    private final VerificationService verification;
    private final CompanyDataService data;
    private final ObjectMapper json;
    private final MoveService moves;

    public CompanyResource(CompanyService service, AdoptionService adoption, FleetAdoptionService fleet,
                           VerificationService verification, CompanyDataService data, ObjectMapper json,
                           MoveService moves) {
        this.moves = moves;
        this.service = service;
        this.adoption = adoption;
        this.fleet = fleet;
        this.verification = verification;
        this.data = data;
        this.json = json;
    }

    @POST
    @Path("/adopt")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "adoptCompanies",
            summary = "Adopt many existing schemas of one server as companies, as a job (role admin)",
            description = "Each schema listed (or, with all: true, each that GET /api/v1/servers/{name}/discover lists,"
                    + " named after its schema) is adopted as POST /api/v1/companies with adopt: true adopts one: under"
                    + " its advisory lock, its history read and verified, its versions recorded as adopted steps, no"
                    + " migration run, the other tool's table never written. At most maxParallel at once; the expected"
                    + " shape is built once per distinct set of versions and template values. With dryRun: 200 with"
                    + " every schema's result, nothing recorded. Otherwise 202 with the job; GET /api/v1/adoptions/{id}"
                    + " follows it. A schema that is an adopted company already is reported already-adopted.")
    @APIResponse(responseCode = "200", description = "Dry run: what would be adopted, refused (and why) or fail",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdoptionJobView.class)))
    @APIResponse(responseCode = "202", description = "The job, started",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdoptionJobView.class)))
    @APIResponse(responseCode = "400", description = "Neither schemas nor all, or both; a schema without a name or"
            + " listed twice; maxParallel out of range; an unknown server (server-unknown); unknown field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: adopting a fleet needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> adoptFleet(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = FleetAdoptionRequest.class))) FleetAdoptionRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with server and schemas or \"all\": true"
                    + " is required");
        }
        if (Boolean.TRUE.equals(body.dryRun())) {
            return fleet.dryRun(body.toRequest()).map(run -> Response.ok(AdoptionJobView.of(run)).build());
        }
        return fleet.start(body.toRequest()).map(job -> Response.accepted(AdoptionJobView.of(job))
                .location(URI.create("/api/v1/adoptions/" + job.id())).build());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "onboardCompany",
            summary = "Onboard a company: insert it, create its schema and apply every migration; or adopt an existing schema",
            description = "Synchronous: answers 201 once every migration is applied. If one fails, the company and"
                    + " its schema stay, the failure is in the ledger, and the answer is a 500 problem"
                    + " (migration-failed) naming the version and the PostgreSQL error; fix and POST .../migrate."
                    + " With adopt: true the schema exists already: the history table of the catalog's tool is read,"
                    + " the schema verified against those versions and they are recorded as adopted steps, no"
                    + " migration run (201; 200 with adoption.created false when it was adopted already). A dirty or"
                    + " failed history, a version the catalog lacks, a checksum mismatch or a schema that differs"
                    + " (without acceptDrift) is refused with 422 adoption-refused, nothing recorded.")
    @APIResponse(responseCode = "201", description = "Onboarded: the company and the versions applied to its schema",
            headers = @Header(name = "Location", description = "The company", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OnboardingView.class)))
    @APIResponse(responseCode = "200", description = "Adopted already (adopt: true): nothing done",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OnboardingView.class)))
    @APIResponse(responseCode = "400", description = "Invalid company name, schema name, status, settings or window; unknown field; no such server",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Company name or schema name already used, the schema exists, the server is draining, offline or full; adopting: the schema is missing, busy, or another company's",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A migration uses a placeholder nothing defines for this company;"
            + " or, adopting, the schema cannot be adopted as it stands (adoption-refused, with refusals)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The company's server cannot be reached (server-unavailable);"
            + " nothing was created", content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = "A migration failed (migration-failed): the company and schema stay",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> onboard(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CompanyRequest.class))) CompanyRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with companyName and schemaName is required");
        }
        if (body.adopting() && body.window() != null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "window is not taken with adopt: adopt the schema,"
                    + " then set the window with PATCH /api/v1/companies/{id}");
        }
        // Checked before anything is created: a bad window is a 400 with nothing changed.
        CompanyService.NewCompany company = new CompanyService.NewCompany(body.companyName(), body.schemaName(),
                body.status(), body.settings(), body.server(), body.window() == null ? null : body.window().parse());
        if (body.adopting()) {
            return adoption.adopt(new AdoptionService.AdoptRequest(company, Boolean.TRUE.equals(body.acceptDrift()),
                            body.baselineVersion(), body.historyTable()))
                    .map(adopted -> {
                        Company c = adopted.company();
                        OnboardingView view = new OnboardingView(CompanyView.of(c), adopted.runId(), List.of(),
                                AdoptionView.of(adopted));
                        return adopted.created()
                                ? Response.created(URI.create("/api/v1/companies/" + c.id())).entity(view).build()
                                : Response.ok(view).build();
                    });
        }
        if (body.acceptDrift() != null || body.baselineVersion() != null || body.historyTable() != null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "acceptDrift, baselineVersion and historyTable are"
                    + " for adopting an existing schema: send them with \"adopt\": true");
        }
        return service.onboard(company)
                .map(onboarded -> {
                    ApplyResult apply = onboarded.apply();
                    if (apply != null && !apply.succeeded()) {
                        throw failed(apply);
                    }
                    Company c = onboarded.company();
                    return Response.created(URI.create("/api/v1/companies/" + c.id()))
                            .entity(new OnboardingView(CompanyView.of(c), apply == null ? null : apply.runId(),
                                    apply == null ? List.of() : apply.applied()))
                            .build();
                });
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listCompanies",
            summary = "List companies, oldest first; soft-deleted ones only with includeDeleted=true")
    @APIResponse(responseCode = "200", description = "One page of companies and how many match")
    @APIResponse(responseCode = "400", description = "Invalid status, page or size",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<CompanyPageView> list(
            @Parameter(description = "Only companies with this status", schema = @Schema(implementation = CompanyStatus.class))
            @QueryParam("status") String status,
            @Parameter(description = "Include soft-deleted companies (default false)")
            @QueryParam("includeDeleted") boolean includeDeleted,
            @Parameter(description = "Page number, from 0", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "0", defaultValue = "0")) @QueryParam("page") String page,
            @Parameter(description = "Companies per page", schema = @Schema(type = SchemaType.INTEGER, format = "int32",
                    minimum = "1", maximum = "500", defaultValue = "50")) @QueryParam("size") String size) {
        return service.list(status, includeDeleted, Params.integer("page", page, 0, 0, Integer.MAX_VALUE),
                Params.integer("size", size, 50, 1, 500)).map(CompanyPageView::of);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getCompany", summary = "One company")
    @APIResponse(responseCode = "200", description = "The company")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<CompanyView> get(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.get(Params.uuid("id", id)).map(CompanyView::of);
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "updateCompany", summary = "Change a company's status, settings (template values) and/or"
            + " maintenance window")
    @APIResponse(responseCode = "200", description = "The company as changed")
    @APIResponse(responseCode = "400", description = "id is not a UUID, invalid status, settings or window, or nothing to change",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<CompanyView> update(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = CompanyPatch.class))) CompanyPatch body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with status, settings, window and/or"
                    + " removeWindow is required");
        }
        UUID companyId = Params.uuid("id", id);
        if (Boolean.TRUE.equals(body.removeWindow()) && body.window() != null) {
            throw new FlotillaException(ErrorCode.INVALID_WINDOW, "Send window or removeWindow, not both; nothing was changed");
        }
        CompanyService.WindowChange window = body.window() != null
                ? new CompanyService.WindowChange(body.window().parse(), false)
                : new CompanyService.WindowChange(null, Boolean.TRUE.equals(body.removeWindow()));
        return service.update(companyId, body.status(), body.settings(), window).map(CompanyView::of);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "deleteCompany",
            summary = "Soft-delete a company: sets deletedAt, keeps its schema, stops migrating it")
    @APIResponse(responseCode = "200", description = "The company, with deletedAt set")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<CompanyView> delete(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.softDelete(Params.uuid("id", id)).map(CompanyView::of);
    }

    @GET
    @Path("/{id}/migrations")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listCompanyMigrations",
            summary = "Every catalog version with its state for this company (pending, applied, failed, …)")
    @APIResponse(responseCode = "200", description = "Every version, in version order")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<List<MigrationInfo>> migrations(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return service.migrations(Params.uuid("id", id));
    }

    @GET
    @Path("/{id}/verify")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "verifyCompany",
            summary = "Compare the company's schema with what its applied versions build in a scratch schema",
            description = "200 whether or not the schema matches (see ok): missing and extra tables, tables without"
                    + " row-level security or a policy, applied versions whose files are gone (unverifiable).")
    @APIResponse(responseCode = "200", description = "The comparison, whether or not the schema matches")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Verification> verify(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return verification.verify(Params.uuid("id", id));
    }

    @POST
    @Path("/{id}/migrate")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "migrateCompany", summary = "Apply what is pending for this company, under its schema lock")
    @APIResponse(responseCode = "200", description = "Every pending version applied")
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Company not active, schema missing, schema busy, or drift",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A migration uses a placeholder nothing defines for this company",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = "A migration failed (migration-failed); later versions not applied",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<ApplyResult> migrate(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @Parameter(description = "Apply even if applied files changed since (default false)")
            @QueryParam("allowDrift") boolean allowDrift) {
        return service.migrate(Params.uuid("id", id), allowDrift).map(result -> {
            if (!result.succeeded()) {
                throw failed(result);
            }
            return result;
        });
    }

    @POST
    @Path("/{id}/seed")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "seedCompany",
            summary = "Load test data: every MIGRATIONS_DIR/seeds/*.sql into the company's schema, in one transaction",
            description = "Files run in file-name order, all in one transaction (all or nothing), under the schema's"
                    + " lock, with the search path and the placeholders migrations get (${schema}, settings, the file's"
                    + " -- flotilla:default). Seeds are read on each call. A company whose settings say \"production\":"
                    + " true or \"environment\": \"production\" needs force=true. A failing file rolls every file back"
                    + " and is a 422 (seed-failed) naming the file, the PostgreSQL error, sqlState and position.")
    @APIResponse(responseCode = "200", description = "Every seed file ran and was committed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SeedResult.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID; the body is not {\"force\": boolean}",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer: seeding needs operator",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Company not active or deleted (company-not-active), marked production"
            + " without force (production-company), schema missing (schema-missing) or busy (schema-busy)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "No seeds directory or no .sql file in it (seeds-missing, names the"
            + " directory); a file that cannot run in the one transaction or has a bad directive (seed-invalid); an"
            + " unresolved placeholder; a file failed (seed-failed: file, error, sqlState, position; all rolled back)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<SeedResult> seed(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @RequestBody(required = false, description = "Optional: {\"force\": true} to seed a production company",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SeedRequest.class))) String body) {
        UUID companyId = Params.uuid("id", id);
        // Read as text, as the body is optional: a bare POST (no Content-Type), or the JSON null a generated client
        // sends for no body, seeds with force=false.
        SeedRequest request = Params.optionalBody(json, body, SeedRequest.class, "{\"force\": true|false}");
        return data.seed(companyId, request != null && request.force()).map(SeedResult::of);
    }

    @POST
    @Path("/{id}/reset")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "resetCompany",
            summary = "Drop the company's schema, create it empty and apply every migration again (role admin)",
            description = "confirm must be the schema name exactly. Under the schema's lock, one transaction drops the"
                    + " schema (CASCADE), creates it and records every applied version as a ledger row down /"
                    + " rolled_back (script \"reset: schema dropped\"); then every migration is applied again in the"
                    + " same run, recorded as any apply. Refused while the company is in an unfinished rollout, and"
                    + " for a company marked production unless force=true. If the re-apply fails the reset stays"
                    + " done and the answer is a 500 migration-failed problem, as for onboarding.")
    @APIResponse(responseCode = "200", description = "Reset, and every migration applied again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ResetResult.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID; no confirm; unknown field; confirm is not the"
            + " schema name (confirmation-mismatch); nothing changed",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: resetting needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Company not active or deleted (company-not-active), marked production"
            + " without force (production-company), in an unfinished rollout (company-in-rollout, names rolloutId),"
            + " schema missing (schema-missing) or busy (schema-busy)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A migration uses a placeholder nothing defines for this company"
            + " (the reset is done, nothing re-applied)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = "Re-applying a migration failed (migration-failed, with"
            + " droppedVersions): the reset is done, later versions not applied",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<ResetResult> reset(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ResetRequest.class))) ResetRequest body) {
        UUID companyId = Params.uuid("id", id);
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "A JSON body {\"confirm\": \"<schema name>\"} is required");
        }
        return data.reset(companyId, body.confirm(), body.force()).map(reset -> {
            if (!reset.apply().succeeded()) {
                throw failed(reset.apply(), Map.of("droppedVersions", reset.droppedVersions()));
            }
            return ResetResult.of(reset);
        });
    }

    private static FlotillaException failed(ApplyResult result) {
        return failed(result, Map.of());
    }

    private static FlotillaException failed(ApplyResult result, Map<String, Object> more) {
        ApplyResult.StepFailure f = result.failure();
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("companyId", result.companyId());
        ext.put("company", "/api/v1/companies/" + result.companyId());
        ext.put("schemaName", result.schemaName());
        ext.put("runId", result.runId());
        ext.put("version", f.version());
        ext.put("script", f.script());
        ext.put("ledgerId", f.ledgerId());
        ext.put("sqlState", f.sqlState());
        if (f.position() != null) {
            ext.put("position", f.position());
        }
        ext.put("appliedVersions", result.applied());
        ext.put("pendingVersions", result.pending());
        ext.putAll(more);
        return new FlotillaException(ErrorCode.MIGRATION_FAILED, "Migration " + f.version() + " (" + f.script()
                + ") failed on schema " + result.schemaName() + ": [" + f.sqlState() + "] " + f.error()
                + "; it was rolled back and later versions were not applied", ext);
    }


    @POST
    @Path("/{id}/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "moveCompany", summary = "Move the company to another server while it is in use (role admin)",
            description = "Checks the company (active, not already moving), the target (registered, active) and the"
                    + " source's schema (as its applied versions build it), then starts a move and answers at once."
                    + " method logical: the rows follow by logical replication and writes pause only for the last"
                    + " catch-up; copy (the source's wal_level is below logical): writes pause for the whole copy,"
                    + " estimatedBytes says how much. Follow it with GET /api/v1/moves/{id}.")
    @APIResponse(responseCode = "202", description = "The move, started",
            headers = @Header(name = "Location", description = "The move", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MoveView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID, server missing or not registered"
            + " (server-unknown); unknown field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Role viewer or operator: moving needs admin",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The company is not active, already there or already moving, or"
            + " only a copy is possible and allowCopy is false (move-refused); the target takes no companies"
            + " (server-not-accepting)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The company's schema differs from what its applied versions build"
            + " (move-drifted, with the differences)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The source or the target cannot be reached (server-unavailable)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> move(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = MoveRequest.class))) MoveRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with server is required");
        }
        return moves.start(Params.uuid("id", id), body.server(), body.allowCopy() == null || body.allowCopy())
                .map(m -> Response.accepted(MoveView.of(m)).location(URI.create("/api/v1/moves/" + m.id())).build());
    }

    @GET
    @Path("/{id}/location")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getCompanyLocation", summary = "Where the company's schema is: server, host, port, database,"
            + " schema (never a password)",
            description = "Changes the moment a move's pause ends; moving names the move under way, if any.")
    @APIResponse(responseCode = "200", description = "The company's location",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LocationView.class)))
    @APIResponse(responseCode = "400", description = "id is not a UUID",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No company with this id",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    public Uni<LocationView> location(
            @Parameter(description = "Company id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        return moves.location(Params.uuid("id", id)).map(LocationView::of);
    }
}
