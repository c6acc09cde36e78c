package io.flotilla.tenant;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.MigrationInfo;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.Sessions;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.window.MaintenanceWindow;
import io.flotilla.window.WindowRepository;
import io.vertx.pgclient.PgException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.flotilla.sql.Detached.detached;

/** Company lifecycle: validation, onboarding (row + schema + every migration), updates and soft delete. */
@ApplicationScoped
public class CompanyService {

    /** A new company as asked for; fields unchecked until {@link #onboard}. */
    public record NewCompany(String companyName, String schemaName, String status, Map<String, Object> settings,
                             String server, MaintenanceWindow window) {

        public NewCompany(String companyName, String schemaName, String status, Map<String, Object> settings,
                          String server) {
            this(companyName, schemaName, status, settings, server, null);
        }

        public NewCompany(String companyName, String schemaName, String status, Map<String, Object> settings) {
            this(companyName, schemaName, status, settings, null);
        }
    }

    /**
     * A change of a company's window: {@code set} it, or {@code remove} it; neither: keep it. Built from a request
     * whose window was checked already ({@link io.flotilla.window.WindowRules}).
     */
    public record WindowChange(MaintenanceWindow set, boolean remove) {
        public static final WindowChange KEEP = new WindowChange(null, false);

        boolean changes() {
            return set != null || remove;
        }
    }

    /** The company as onboarded, and what applying the catalog did (null when it is not active). */
    public record Onboarded(Company company, ApplyResult apply) {
    }

    private final Sessions sessions;
    private final CompanyRepository companies;
    private final LedgerRepository ledger;
    private final SchemaMigrator migrator;
    private final CatalogService catalog;
    private final ServerPools servers;
    private final WindowRepository windows;

    public CompanyService(Sessions sessions, CompanyRepository companies, LedgerRepository ledger,
                          SchemaMigrator migrator, CatalogService catalog, ServerPools servers, WindowRepository windows) {
        this.windows = windows;
        this.sessions = sessions;
        this.companies = companies;
        this.ledger = ledger;
        this.migrator = migrator;
        this.catalog = catalog;
        this.servers = servers;
    }

    /**
     * Validates everything first, then inserts the row and creates the schema in one transaction (so a clash
     * leaves neither behind), then applies every migration when the company is active.
     */
    public Uni<Onboarded> onboard(NewCompany request) {
        String companyName = CompanyRules.companyName(request.companyName());
        String schemaName = CompanyRules.schemaName(request.schemaName());
        CompanyStatus status = request.status() == null ? CompanyStatus.ACTIVE : CompanyStatus.parse(request.status());
        Map<String, Object> settings = CompanyRules.settings(request.settings());
        String server = request.server() == null || request.server().isBlank() ? null : request.server().trim();
        // A schema on another server is created before the row commits; if the commit fails it is dropped again.
        AtomicReference<Company> remoteSchema = new AtomicReference<>();
        return sessions.withTransaction(() -> companies.place(server)
                        .flatMap(placed -> companies.insert(Company.create(companyName, schemaName, placed, status, settings)))
                        // The window commits with the row, or neither does.
                        .call(company -> request.window() == null ? Uni.createFrom().voidItem()
                                : windows.set(company.id(), request.window()).invoke(w -> company.window(w)).replaceWithVoid())
                        .call(company -> TenantDatabase.HOME.equals(company.server()) ? createSchema(company.schemaName())
                                : createRemoteSchema(company).invoke(() -> remoteSchema.set(company))))
                .onFailure().call(e -> remoteSchema.get() == null ? Uni.createFrom().voidItem()
                        : dropRemoteSchema(remoteSchema.get()))
                .invoke(company -> Log.infof("Onboarded company %s (%s) into schema %s", company.companyName(),
                        company.id(), company.schemaName()))
                .flatMap(company -> company.migratable()
                        ? detached(migrator.migrate(company, catalog.catalog(), false))
                                .map(result -> new Onboarded(company, result))
                        : Uni.createFrom().item(new Onboarded(company, null)));
    }

    /**
     * A company checked as {@link #onboard} checks it, on the named server, not inserted: an adoption inserts it
     * itself ({@link CompanyRepository#insert(io.vertx.mutiny.sqlclient.SqlConnection, Company)}) with its steps.
     */
    public static Company prepare(NewCompany request, String server) {
        return Company.create(CompanyRules.companyName(request.companyName()),
                CompanyRules.schemaName(request.schemaName()), server,
                request.status() == null ? CompanyStatus.ACTIVE : CompanyStatus.parse(request.status()),
                CompanyRules.settings(request.settings()));
    }

    /** The company, soft-deleted or not (it still owns its schema); 404 company-not-found when there is none. */
    public Uni<Company> get(UUID id) {
        return sessions.withSession(() -> companies.findById(id).call(this::withWindow))
                .onItem().ifNull().failWith(() -> notFound(id));
    }

    /** The company with its window read, in the caller's session. */
    private Uni<Company> withWindow(Company company) {
        return company == null ? Uni.createFrom().nullItem()
                : windows.of(company.id()).map(company::window);
    }

    public Uni<CompanyPage> list(String status, boolean includeDeleted, int page, int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "page must be >= 0 and size between 1 and 500");
        }
        CompanyStatus only = status == null ? null : CompanyStatus.parse(status);
        // The page's windows in one more query, not one per company.
        return sessions.withSession(() -> companies.list(only, includeDeleted, page, size))
                .call(found -> windows.forCompanies(found.items().stream().map(Company::id).toList())
                        .invoke(byId -> found.items().forEach(c -> c.window(byId.get(c.id())))));
    }

    public Uni<Company> update(UUID id, String status, Map<String, Object> settings) {
        return update(id, status, settings, WindowChange.KEEP);
    }

    /** Status, settings and window in one transaction: all of it changes, or (a bad field, no such company) none. */
    public Uni<Company> update(UUID id, String status, Map<String, Object> settings, WindowChange window) {
        CompanyStatus newStatus = status == null ? null : CompanyStatus.parse(status);
        Map<String, Object> newSettings = settings == null ? null : CompanyRules.settings(settings);
        if (newStatus == null && newSettings == null && !window.changes()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "Nothing to change: send status, settings, window and/or removeWindow");
        }
        return sessions.withTransaction(() -> companies.update(id, newStatus, newSettings)
                        .call(company -> {
                            if (company == null || !window.changes()) {
                                return withWindow(company);
                            }
                            return window.remove() ? windows.remove(id).invoke(() -> company.window(null))
                                    : windows.set(id, window.set()).invoke(w -> company.window(w));
                        }))
                .onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<Company> softDelete(UUID id) {
        return sessions.withTransaction(() -> companies.softDelete(id).call(this::withWindow)).onItem().ifNull().failWith(() -> notFound(id));
    }

    /** Applies whatever is pending for one company, under its schema lock. */
    public Uni<ApplyResult> migrate(UUID id, boolean allowDrift) {
        return get(id).flatMap(company -> detached(migrator.migrate(company, catalog.catalog(), allowDrift)));
    }

    /** Every catalog version, then every repeatable migration, with its state for this company. */
    public Uni<List<MigrationInfo>> migrations(UUID id) {
        return migrations(id, catalog.catalog());
    }

    /** {@link #migrations(UUID)} against a given catalog (the service's, or one under test). */
    public Uni<List<MigrationInfo>> migrations(UUID id, MigrationCatalog against) {
        return get(id).flatMap(company -> Uni.combine().all()
                        .unis(ledger.history(null, company.id()), ledger.repeatables(null, company.id())).asTuple())
                .map(read -> MigrationInfo.of(against, read.getItem1(), read.getItem2()));
    }

    /**
     * Creates the schema in the session's transaction, next to the company's row: the name was checked by
     * {@link CompanyRules#schemaName} and is quoted here, as {@link TenantExecutor} quotes every tenant identifier.
     */
    private static Uni<Void> createSchema(String schema) {
        String sql = "CREATE SCHEMA " + TenantExecutor.quoteIdent(CompanyRules.schemaName(schema));
        return Panache.getSession().flatMap(session -> session.createNativeQuery(sql).executeUpdate())
                .onFailure(CompanyService::duplicateSchema)
                .transform(e -> new FlotillaException(ErrorCode.SCHEMA_EXISTS, "Schema '" + schema
                        + "' already exists in the database; onboard under another schemaName or drop it first",
                        Map.of(), e))
                .replaceWithVoid();
    }

    /** The schema on the company's server (not home): its own autocommit statement on that server's pool. */
    private Uni<Void> createRemoteSchema(Company company) {
        String sql = "CREATE SCHEMA " + TenantExecutor.quoteIdent(CompanyRules.schemaName(company.schemaName()));
        return servers.database(company.server()).flatMap(database -> database.pool().query(sql).execute()
                .onFailure(e -> e instanceof PgException pg && "42P06".equals(pg.getSqlState()))
                .transform(e -> new FlotillaException(ErrorCode.SCHEMA_EXISTS, "Schema '" + company.schemaName()
                        + "' already exists on server '" + company.server() + "'; onboard under another schemaName or"
                        + " drop it first", Map.of("server", company.server()), e))
                .onFailure(e -> !(e instanceof FlotillaException))
                .transform(e -> SchemaMigrator.unavailable(database, e)))
                .replaceWithVoid();
    }

    /** Undoes {@link #createRemoteSchema} when the company's row did not commit. Only ever an empty schema. */
    private Uni<Void> dropRemoteSchema(Company company) {
        String sql = "DROP SCHEMA IF EXISTS " + TenantExecutor.quoteIdent(company.schemaName()) + " RESTRICT";
        return servers.database(company.server()).flatMap(database -> database.pool().query(sql).execute())
                .onFailure().invoke(e -> Log.warnf("Schema %s on server %s was created for a company whose row did not"
                        + " commit, and could not be dropped: %s", company.schemaName(), company.server(), e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** duplicate_schema: Hibernate Reactive hands PostgreSQL's error on as a SQLException with its SQLSTATE. */
    private static boolean duplicateSchema(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof SQLException sql && "42P06".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static FlotillaException notFound(UUID id) {
        return new FlotillaException(ErrorCode.COMPANY_NOT_FOUND, "No company with id " + id);
    }
}
