package io.flotilla.adoption;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerCopy;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.LedgerRepository.LockAttempts;
import io.flotilla.ledger.LedgerRepository.StepStart;
import io.flotilla.ledger.StepStatus;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyRepository;
import io.flotilla.tenant.CompanyService;
import io.flotilla.tenant.CompanyService.NewCompany;
import io.flotilla.verification.ExpectedShapes;
import io.flotilla.verification.Verification;
import io.flotilla.verification.VerificationService;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.flotilla.sql.Detached.detached;

/**
 * Adopts one existing schema as a company. Under the schema's advisory lock: the other tool's history is read, matched
 * with the catalog, the schema verified against the versions it claims; then the company row, an {@code adopted}
 * ledger step per version and the adoption's record are written together (one transaction at home; for a schema on
 * another server, its ledger's transaction commits after home's, and home's rows are deleted again should it fail).
 * A refusal records nothing. No migration SQL runs and the other tool's table is only read.
 */
@ApplicationScoped
public class AdoptionService {

    /** An adoption as asked for; fields unchecked until {@link #adopt}. */
    public record AdoptRequest(NewCompany company, boolean acceptDrift, String baselineVersion, String historyTable) {
    }

    /**
     * What adopting did.
     *
     * @param created      false when the schema was an adopted company already: nothing was done
     * @param tool         the tool whose history was read, or {@code baseline}
     * @param verification the schema against the adopted versions (null when nothing was done)
     */
    public record Adoption(Company company, boolean created, String tool, String historyTable, UUID runId,
                           List<String> versions, boolean drifted, Verification verification) {
    }

    /** A history table's name as the tools allow it (unquoted identifier); it reaches SQL quoted anyway. */
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final String BASELINE = "baseline";

    private final ServerPools pools;
    private final Pool home;
    private final AdvisoryLocks locks;
    private final CompanyRepository companies;
    private final LedgerRepository ledger;
    private final LedgerCopy copy;
    private final VerificationService verification;
    private final CatalogService catalog;
    private final SchemaMigrator migrator;
    private final FlotillaConfig config;

    public AdoptionService(ServerPools pools, Pool home, AdvisoryLocks locks, CompanyRepository companies,
                           LedgerRepository ledger, LedgerCopy copy, VerificationService verification,
                           CatalogService catalog, SchemaMigrator migrator, FlotillaConfig config) {
        this.pools = pools;
        this.home = home;
        this.locks = locks;
        this.companies = companies;
        this.ledger = ledger;
        this.copy = copy;
        this.verification = verification;
        this.catalog = catalog;
        this.migrator = migrator;
        this.config = config;
    }

    public Uni<Adoption> adopt(AdoptRequest request) {
        return adopt(request, catalog.catalog());
    }

    /** {@link #adopt(AdoptRequest)} against a given catalog (the service's, or one under test). */
    public Uni<Adoption> adopt(AdoptRequest request, MigrationCatalog against) {
        return adopt(request, against, null, false);
    }

    /**
     * One schema of a fleet: its expected shape taken from {@code shapes} (built once per distinct set of versions and
     * template values); with {@code dryRun}, everything is read and decided as for real and nothing recorded (the
     * answer's {@code runId} is null).
     */
    public Uni<Adoption> adopt(AdoptRequest request, MigrationCatalog against, ExpectedShapes shapes, boolean dryRun) {
        String server = request.company().server() == null || request.company().server().isBlank()
                ? TenantDatabase.HOME : request.company().server().trim();
        Company candidate = CompanyService.prepare(request.company(), server);
        Version baseline = request.baselineVersion() == null ? null : Version.parse(request.baselineVersion().trim());
        if (request.historyTable() != null && !TABLE.matcher(request.historyTable()).matches()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "historyTable must be a plain table name"
                    + " (letters, digits, underscores; at most 63)");
        }
        HistoryTool tool = HistoryTool.of(against.layout()).orElse(null);
        String table = tool == null ? null : request.historyTable() != null ? request.historyTable() : tool.defaultTable();
        String schema = candidate.schemaName();
        // A server named in the body that is not registered is a bad request, as when onboarding.
        Uni<TenantDatabase> on = pools.forWork(server).onFailure(e -> e instanceof FlotillaException f
                        && f.code() == ErrorCode.SERVER_NOT_FOUND)
                .transform(e -> new FlotillaException(ErrorCode.SERVER_UNKNOWN, "No server named '" + server
                        + "' is registered (GET /api/v1/servers lists them); nothing was recorded",
                        Map.of("server", server), e));
        return detached(on.flatMap(database -> database.withConnection(conn ->
                locks.lockSchema(conn, schema, config.execution().lockWait())
                        .flatMap(exists -> {
                            if (!exists) {
                                throw new FlotillaException(ErrorCode.SCHEMA_MISSING, "No schema '" + schema
                                        + "' on server '" + server + "' to adopt", Map.of("server", server));
                            }
                            return companies.findBySchemaName(schema);
                        })
                        .flatMap(existing -> existing != null ? adopted(existing, candidate)
                                : read(conn, schema, tool, table).flatMap(history -> {
                                    if (history != null && baseline != null) {
                                        throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Schema '" + schema
                                                + "' has " + table + ": its history says where it stands; adopt"
                                                + " without baselineVersion");
                                    }
                                    return adopt(conn, database, candidate, against, history, baseline,
                                            request.acceptDrift(), shapes, dryRun);
                                }))
                        .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull()))));
    }

    /** Adopting an adopted company does nothing; a company that was onboarded, not adopted, keeps its 409. */
    private Uni<Adoption> adopted(Company existing, Company candidate) {
        return home.preparedQuery("SELECT tool, history_table, run_id, versions, drifted FROM public.adoptions"
                        + " WHERE company_id = $1").execute(Tuple.of(existing.id()))
                .map(rows -> {
                    if (rows.size() == 0 || !existing.companyName().equals(candidate.companyName())
                            || !existing.server().equals(candidate.server())) {
                        throw new FlotillaException(ErrorCode.SCHEMA_NAME_TAKEN, "Schema '" + existing.schemaName()
                                + "' belongs to company '" + existing.companyName() + "' already",
                                Map.of("companyId", existing.id()));
                    }
                    var row = rows.iterator().next();
                    return new Adoption(existing, false, row.getString(0), row.getString(1), row.getUUID(2),
                            List.of(row.getArrayOfStrings(3)), row.getBoolean(4), null);
                });
    }

    /** The tool's history, or null when the schema has no such table (or the catalog's layout has no tool). */
    private static Uni<ToolHistory> read(SqlConnection conn, String schema, HistoryTool tool, String table) {
        if (tool == null) {
            return Uni.createFrom().nullItem();
        }
        String qualified = TenantExecutor.quoteIdent(schema) + "." + TenantExecutor.quoteIdent(table);
        // One round trip: the table is read, and its absence (undefined_table) means no history. The session holds
        // only the advisory lock, no transaction, so the failed statement leaves nothing behind.
        return conn.query(tool.select(qualified)).execute()
                .map(rows -> new ToolHistory(tool, table, tool.fold(HistoryTool.rows(rows))))
                .onFailure(e -> e instanceof PgException pg && "42P01".equals(pg.getSqlState()))
                .recoverWithNull();
    }

    private Uni<Adoption> adopt(SqlConnection conn, TenantDatabase database, Company candidate, MigrationCatalog against,
                                ToolHistory history, Version baseline, boolean acceptDrift, ExpectedShapes shapes,
                                boolean dryRun) {
        AdoptionPlanner.Plan plan = AdoptionPlanner.plan(against, history, baseline);
        if (!plan.refusals().isEmpty()) {
            throw refused(candidate, plan.refusals(), null);
        }
        Set<String> ignored = new HashSet<>();
        if (history != null) {
            ignored.add(history.table());
            ignored.addAll(history.tool().companions());
        }
        return verification.verifyClaimed(database, candidate, against, plan.versions(), ignored, shapes).flatMap(verified -> {
            if (!verified.ok() && !acceptDrift) {
                throw refused(candidate, List.of(new Refusal(Refusal.Reason.SHAPE_DIFFERS, null, "The schema is not"
                        + " what its versions build (see verification); send acceptDrift: true to adopt it anyway,"
                        + " marked drifted")), verified);
            }
            Adoption adoption = new Adoption(candidate, true, history == null ? BASELINE : history.tool().value(),
                    history == null ? null : history.table(), dryRun ? null : UUID.randomUUID(),
                    plan.versions().stream().map(Version::toString).toList(), !verified.ok(), verified);
            if (dryRun) {
                return Uni.createFrom().item(adoption);
            }
            return record(conn, database, adoption, plan.adopted());
        });
    }

    private static FlotillaException refused(Company candidate, List<Refusal> refusals, Verification verified) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("schemaName", candidate.schemaName());
        extensions.put("refusals", refusals);
        if (verified != null) {
            extensions.put("verification", verified);
        }
        String reasons = String.join("; ", refusals.stream().map(Refusal::detail).toList());
        return new FlotillaException(ErrorCode.ADOPTION_REFUSED, "Schema '" + candidate.schemaName() + "' not adopted,"
                + " nothing recorded: " + reasons, extensions);
    }

    private Uni<Adoption> record(SqlConnection conn, TenantDatabase database, Adoption adoption, List<Migration> steps) {
        if (database.home()) {
            return inTransaction(conn, tx -> homeRows(conn, adoption).call(() -> steps(conn, adoption, steps)))
                    .map(company -> withCompany(adoption, company));
        }
        // The ledger's transaction on the server stays open while home's commits, so a failure at home undoes both.
        return inTransaction(conn, tx -> steps(conn, adoption, steps)
                        .flatMap(ok -> home.withTransaction(homeConn -> homeRows(homeConn, adoption))))
                .onFailure(e -> e instanceof CommitFailed).call(e -> forget(adoption))
                .call(() -> copy.copyRun(conn, database.name(), adoption.company().id(), adoption.runId())
                        .onFailure().recoverWithItem(e -> {
                            Log.warnf("Adopted steps of %s not copied home yet: %s; the reconciliation copies them",
                                    adoption.company().schemaName(), e.getMessage());
                            return null;
                        }))
                .map(company -> withCompany(adoption, company));
    }

    private static Adoption withCompany(Adoption adoption, Company company) {
        Log.infof("Adopted schema %s as company %s (%s) from %s: %d versions%s", company.schemaName(),
                company.companyName(), company.id(), adoption.tool(), adoption.versions().size(),
                adoption.drifted() ? ", drifted" : "");
        return new Adoption(company, true, adoption.tool(), adoption.historyTable(), adoption.runId(),
                adoption.versions(), adoption.drifted(), adoption.verification());
    }

    /** The company's row and the adoption's, at home. */
    private Uni<Company> homeRows(SqlConnection homeConn, Adoption adoption) {
        Company company = adoption.company();
        Verification v = adoption.verification();
        return companies.insert(homeConn, company).call(inserted -> homeConn.preparedQuery("INSERT INTO public.adoptions"
                        + " (company_id, server, schema_name, tool, history_table, run_id, versions, drifted, differences)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .execute(Tuple.tuple(java.util.Arrays.asList(company.id(), company.server(), company.schemaName(),
                        adoption.tool(), adoption.historyTable(), adoption.runId(),
                        adoption.versions().toArray(String[]::new), adoption.drifted(),
                        adoption.drifted() ? JsonObject.mapFrom(v) : null))));
    }

    /**
     * One adopted step per version, each with its state row, on the connection holding the schema's lock. Sent all at
     * once: the client pipelines them in order on the one connection, so a schema at version 26 waits for one round
     * trip, not 26; the first failure fails the transaction.
     */
    private Uni<Void> steps(SqlConnection conn, Adoption adoption, List<Migration> steps) {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Long>> recorded = steps.stream().map(m -> ledger.recordInTransaction(conn, new StepStart(
                adoption.runId(), adoption.company().id(), adoption.company().schemaName(), m.version(), m.name(),
                m.up(), Direction.UP, migrator.executedBy()), StepStatus.ADOPTED, LockAttempts.ONE)).toList();
        return Uni.join().all(recorded).andFailFast().replaceWithVoid();
    }

    /** Home's rows of an adoption whose server transaction did not commit. */
    private Uni<Void> forget(Adoption adoption) {
        return home.withTransaction(c -> c.preparedQuery("DELETE FROM public.adoptions WHERE company_id = $1")
                        .execute(Tuple.of(adoption.company().id()))
                        .flatMap(x -> c.preparedQuery("DELETE FROM public.companies WHERE id = $1")
                                .execute(Tuple.of(adoption.company().id()))))
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.warnf("Company %s was recorded at home but its adopted steps did not"
                        + " commit on its server, and it could not be removed: %s", adoption.company().id(),
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** A commit that failed after the work succeeded: the one failure that needs home's rows removed. */
    private static final class CommitFailed extends RuntimeException {
        CommitFailed(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** {@code work} in a transaction on {@code conn}: committed when it succeeds, rolled back when it fails. */
    private static <T> Uni<T> inTransaction(SqlConnection conn, java.util.function.Function<Transaction, Uni<T>> work) {
        return conn.begin().flatMap(tx -> work.apply(tx)
                .onFailure().call(e -> tx.rollback().onFailure().recoverWithNull())
                .call(result -> tx.commit().onFailure().transform(CommitFailed::new)));
    }
}
