package io.flotilla.api;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.execution.ApplyResult;
import io.flotilla.execution.MigrationInfo;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyPage;
import io.flotilla.tenant.CompanyService;
import io.flotilla.verification.Verification;
import io.flotilla.verification.VerificationService;
import io.smallrye.mutiny.Uni;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/api/v1/companies")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Companies")
public class CompanyResource {

    private final CompanyService service;
    private final VerificationService verification;

    public CompanyResource(CompanyService service, VerificationService verification) {
        this.service = service;
        this.verification = verification;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Onboard a company: insert it, create its schema and apply every migration",
            description = "Synchronous: answers 201 once every migration is applied. If one fails, the company and"
                    + " its schema stay, the failure is in the ledger, and the answer is a 500 problem"
                    + " (migration-failed) naming the version and the PostgreSQL error; fix and POST .../migrate.")
    public Uni<Response> onboard(CompanyRequest body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with companyName and schemaName is required");
        }
        return service.onboard(new CompanyService.NewCompany(body.companyName(), body.schemaName(), body.status(),
                        body.settings()))
                .map(onboarded -> {
                    ApplyResult apply = onboarded.apply();
                    if (apply != null && !apply.succeeded()) {
                        throw failed(apply);
                    }
                    Company c = onboarded.company();
                    return Response.created(URI.create("/api/v1/companies/" + c.id()))
                            .entity(new OnboardingView(c, apply == null ? null : apply.runId(),
                                    apply == null ? List.of() : apply.applied()))
                            .build();
                });
    }

    @GET
    @Operation(summary = "List companies, oldest first; soft-deleted ones only with includeDeleted=true")
    public Uni<CompanyPage> list(@QueryParam("status") String status, @QueryParam("includeDeleted") boolean includeDeleted,
                                 @QueryParam("page") String page, @QueryParam("size") String size) {
        return service.list(status, includeDeleted, Params.integer("page", page, 0, 0, Integer.MAX_VALUE),
                Params.integer("size", size, 50, 1, 500));
    }

    @GET
    @Path("/{id}")
    public Uni<Company> get(@PathParam("id") String id) {
        return service.get(Params.uuid("id", id));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a company's status and/or settings (template values)")
    public Uni<Company> update(@PathParam("id") String id, CompanyPatch body) {
        if (body == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "A JSON body with status and/or settings is required");
        }
        return service.update(Params.uuid("id", id), body.status(), body.settings());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Soft-delete a company: sets deletedAt, keeps its schema, stops migrating it")
    public Uni<Company> delete(@PathParam("id") String id) {
        return service.softDelete(Params.uuid("id", id));
    }

    @GET
    @Path("/{id}/migrations")
    @Operation(summary = "Every catalog version with its state for this company (pending, applied, failed, …)")
    public Uni<List<MigrationInfo>> migrations(@PathParam("id") String id) {
        return service.migrations(Params.uuid("id", id));
    }

    @GET
    @Path("/{id}/verify")
    @Operation(summary = "Compare the company's schema with what its applied versions build in a scratch schema",
            description = "200 whether or not the schema matches (see ok): missing and extra tables, tables without"
                    + " row-level security or a policy, applied versions whose files are gone (unverifiable).")
    public Uni<Verification> verify(@PathParam("id") String id) {
        return verification.verify(Params.uuid("id", id));
    }

    @POST
    @Path("/{id}/migrate")
    @Operation(summary = "Apply what is pending for this company, under its schema lock")
    public Uni<ApplyResult> migrate(@PathParam("id") String id, @QueryParam("allowDrift") boolean allowDrift) {
        return service.migrate(Params.uuid("id", id), allowDrift).map(result -> {
            if (!result.succeeded()) {
                throw failed(result);
            }
            return result;
        });
    }

    private static FlotillaException failed(ApplyResult result) {
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
        return new FlotillaException(ErrorCode.MIGRATION_FAILED, "Migration " + f.version() + " (" + f.script()
                + ") failed on schema " + result.schemaName() + ": [" + f.sqlState() + "] " + f.error()
                + "; it was rolled back and later versions were not applied", ext);
    }

}
