package io.flotilla.tenant;

import io.flotilla.catalog.CatalogService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.ApplyResult;
import io.flotilla.ledger.MigrationInfo;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.ledger.LedgerRepository;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.flotilla.sql.Detached.detached;

/** Tenant lifecycle: validation, onboarding (row + schema + every migration), updates and soft delete. */
@ApplicationScoped
public class CompanyService {

    /** A new company as asked for; fields unchecked until {@link #onboard}. */
    public record NewCompany(String companyName, String schemaName, String status, Map<String, Object> settings) {
    }

    /** The company as onboarded, and what applying the catalog did (null when it is not active). */
    public record Onboarded(Company company, ApplyResult apply) {
    }

    private final Pool pool;
    private final CompanyRepository companies;
    private final LedgerRepository ledger;
    private final TenantExecutor executor;
    private final SchemaMigrator migrator;
    private final CatalogService catalog;

    public CompanyService(Pool pool, CompanyRepository companies, LedgerRepository ledger, TenantExecutor executor,
                          SchemaMigrator migrator, CatalogService catalog) {
        this.pool = pool;
        this.companies = companies;
        this.ledger = ledger;
        this.executor = executor;
        this.migrator = migrator;
        this.catalog = catalog;
    }

    /**
     * Validates everything first, then inserts the row and creates the schema in one transaction (so a clash
     * leaves neither behind), then applies every migration when the company is active.
     */
    public Uni<Onboarded> onboard(NewCompany request) {
        String companyName = TenantRules.companyName(request.companyName());
        String schemaName = TenantRules.schemaName(request.schemaName());
        CompanyStatus status = request.status() == null ? CompanyStatus.ACTIVE : CompanyStatus.parse(request.status());
        Map<String, Object> settings = TenantRules.settings(request.settings());
        return pool.withTransaction(conn -> companies.insert(conn, companyName, schemaName, status, settings)
                        .call(company -> executor.createSchema(conn, company.schemaName())))
                .invoke(company -> Log.infof("Onboarded company %s (%s) into schema %s", company.companyName(),
                        company.id(), company.schemaName()))
                .flatMap(company -> company.migratable()
                        ? detached(migrator.migrate(company, catalog.catalog(), false))
                                .map(result -> new Onboarded(company, result))
                        : Uni.createFrom().item(new Onboarded(company, null)));
    }

    public Uni<Company> get(UUID id) {
        return companies.findById(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<CompanyPage> list(String status, boolean includeDeleted, int page, int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "page must be >= 0 and size between 1 and 500");
        }
        return companies.list(status == null ? null : CompanyStatus.parse(status), includeDeleted, page, size);
    }

    public Uni<Company> update(UUID id, String status, Map<String, Object> settings) {
        CompanyStatus newStatus = status == null ? null : CompanyStatus.parse(status);
        Map<String, Object> newSettings = settings == null ? null : TenantRules.settings(settings);
        if (newStatus == null && newSettings == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Nothing to change: send status and/or settings");
        }
        return companies.update(id, newStatus, newSettings).onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<Company> softDelete(UUID id) {
        return companies.softDelete(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    /** Applies whatever is pending for one company, under its schema lock. */
    public Uni<ApplyResult> migrate(UUID id, boolean allowDrift) {
        return get(id).flatMap(company -> detached(migrator.migrate(company, catalog.catalog(), allowDrift)));
    }

    /** Every catalog version with its state for this company, from one ledger query. */
    public Uni<List<MigrationInfo>> migrations(UUID id) {
        return get(id).flatMap(company -> ledger.history(null, company.id()))
                .map(history -> MigrationInfo.of(catalog.catalog(), history));
    }

    private static FlotillaException notFound(UUID id) {
        return new FlotillaException(ErrorCode.COMPANY_NOT_FOUND, "No company with id " + id);
    }
}
