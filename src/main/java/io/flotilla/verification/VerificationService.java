package io.flotilla.verification;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.VersionHistory;
import io.flotilla.migration.TemplateRepository;
import io.flotilla.migration.TemplateValues;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.verification.ScratchBuilder.Step;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static io.flotilla.sql.Detached.detached;

/**
 * Verifies a company's schema: builds the versions its ledger says are applied (with its own template values) in
 * a scratch schema and compares the two, table by table. The ledger, the company's schema and its template values
 * are read in one snapshot, so a migration committing meanwhile is seen either whole or not at all. All of it happens
 * on the server that holds the company's schema: its ledger there, its schema there, and the scratch build there
 * (the same PostgreSQL version and extensions). An offline server fails the verification with server-unavailable.
 */
@ApplicationScoped
public class VerificationService {

    /** What the company's side says, read in one snapshot. */
    record Observed(List<Version> applied, SchemaSnapshot actual, Map<String, String> lookedUp) {
    }

    private final ServerPools pools;
    private final CompanyService companies;
    private final LedgerRepository ledger;
    private final TemplateRepository lookup;
    private final SchemaInspector inspector;
    private final ScratchBuilder builder;
    private final CatalogService catalogService;

    public VerificationService(ServerPools pools, CompanyService companies, LedgerRepository ledger, TemplateRepository lookup,
                               SchemaInspector inspector, ScratchBuilder builder, CatalogService catalogService) {
        this.pools = pools;
        this.companies = companies;
        this.ledger = ledger;
        this.lookup = lookup;
        this.inspector = inspector;
        this.builder = builder;
        this.catalogService = catalogService;
    }

    /** Against the service's catalog; fails with COMPANY_NOT_FOUND for an unknown id. */
    public Uni<Verification> verify(UUID companyId) {
        return companies.get(companyId).flatMap(company -> detached(verify(company, catalogService.catalog())));
    }

    public Uni<Verification> verify(Company company, MigrationCatalog catalog) {
        return pools.forWork(company.server()).flatMap(database -> verify(database, company, catalog));
    }

    /**
     * A schema that is no company yet (being adopted) against the versions its other tool's history claims, with the
     * tables in {@code ignored} (that tool's history table) left out of the comparison.
     */
    public Uni<Verification> verifyClaimed(TenantDatabase database, Company company, MigrationCatalog catalog,
                                           List<Version> claimed, Set<String> ignored) {
        return verify(database, company, catalog, claimed, ignored, null);
    }

    /** As above, the expected shape taken from (or built once into) {@code shapes}, shared by a fleet's schemas. */
    public Uni<Verification> verifyClaimed(TenantDatabase database, Company company, MigrationCatalog catalog,
                                           List<Version> claimed, Set<String> ignored, ExpectedShapes shapes) {
        return verify(database, company, catalog, claimed, ignored, shapes);
    }

    private Uni<Verification> verify(TenantDatabase database, Company company, MigrationCatalog catalog) {
        return verify(database, company, catalog, null, Set.of(), null);
    }

    /** {@code claimed} null: the versions the ledger has applied; {@code shapes} null: a build of its own. */
    private Uni<Verification> verify(TenantDatabase database, Company company, MigrationCatalog catalog,
                                     List<Version> claimed, Set<String> ignored, ExpectedShapes shapes) {
        // The snapshot ends before the scratch build starts: a CREATE INDEX CONCURRENTLY there waits for every
        // older snapshot, ours included.
        return observe(database, company, catalog, claimed, ignored).flatMap(seen -> {
            List<String> unverifiable = new ArrayList<>();
            List<Step> steps = new ArrayList<>();
            for (Version version : seen.applied()) {
                Optional<Migration> migration = catalog.find(version);
                if (migration.isEmpty()) {
                    unverifiable.add(version.toString());
                    continue;
                }
                try {
                    steps.add(new Step(migration.get(),
                            TemplateValues.resolve(company, migration.get().up(), seen.lookedUp())));
                } catch (FlotillaException e) {
                    if (e.code() != ErrorCode.UNRESOLVED_PLACEHOLDER) {
                        throw e;
                    }
                    return Uni.createFrom().item(compare(company, seen, unverifiable, null,
                            BuildFailure.unrendered(migration.get(), e.getMessage())));
                }
            }
            return (shapes == null ? builder.build(database, steps, false) : shapes.build(builder, database, steps))
                    .map(build -> compare(company, seen, unverifiable, build.result(), build.failure()));
        });
    }

    private Uni<Observed> observe(TenantDatabase database, Company company, MigrationCatalog catalog,
                                  List<Version> claimed, Set<String> ignored) {
        String schema = company.schemaName();
        return database.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute()
                .flatMap(ok -> claimed != null ? Uni.createFrom().item(claimed.stream().sorted().toList())
                        : ledger.history(conn, company.id()).map(history -> history.values().stream()
                                .filter(VersionHistory::applied).map(VersionHistory::version).sorted().toList()))
                .flatMap(applied -> {
                    List<MigrationScript> scripts = applied.stream().map(catalog::find).flatMap(Optional::stream)
                            .map(Migration::up).toList();
                    return inspector.inspect(conn, schema).map(actual -> actual.without(ignored)).flatMap(actual -> lookup
                            .lookUp(conn, schema, TemplateValues.toLookUp(company, scripts))
                            .map(looked -> new Observed(applied, actual, looked)));
                }));
    }

    /**
     * Missing and extra tables need the expected schema; row security and policies are judged against it where
     * the migrations have the table (a table they leave without row security is the lint's business, not
     * drift), and absolutely where they don't.
     */
    static Verification compare(Company company, Observed seen, List<String> unverifiable, SchemaSnapshot expected,
                                BuildFailure failure) {
        SchemaSnapshot actual = seen.actual();
        List<String> expectedTables = expected == null ? List.of() : expected.tableNames();
        List<String> missing = expectedTables.stream().filter(t -> actual.table(t).isEmpty()).toList();
        List<String> extra = expected == null ? List.of()
                : actual.tableNames().stream().filter(t -> expected.table(t).isEmpty()).toList();
        List<String> rlsDisabled = actual.tables().stream()
                .filter(t -> !t.rowSecurity() && expectedOf(expected, t).map(TableShape::rowSecurity).orElse(true))
                .map(TableShape::name).toList();
        List<String> withoutPolicy = actual.tables().stream()
                .filter(t -> t.policies() == 0 && expectedOf(expected, t).map(e -> e.policies() > 0).orElse(true))
                .map(TableShape::name).toList();
        boolean ok = failure == null && unverifiable.isEmpty() && missing.isEmpty() && extra.isEmpty()
                && rlsDisabled.isEmpty() && withoutPolicy.isEmpty();
        return new Verification(company.id(), company.schemaName(),
                seen.applied().stream().map(Version::toString).toList(), ok, expectedTables, missing, extra,
                rlsDisabled, withoutPolicy, List.copyOf(unverifiable), failure);
    }

    private static Optional<TableShape> expectedOf(SchemaSnapshot expected, TableShape actual) {
        return expected == null ? Optional.empty() : expected.table(actual.name());
    }
}
