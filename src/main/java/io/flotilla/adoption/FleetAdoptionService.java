package io.flotilla.adoption;

import io.flotilla.adoption.AdoptionService.AdoptRequest;
import io.flotilla.adoption.DiscoveryService.Discovered;
import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.tenant.CompanyService.NewCompany;
import io.flotilla.verification.ExpectedShapes;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Adopts many schemas of one server as a job: a list, or every schema a discovery finds. Each schema is adopted as one
 * adoption is (its advisory lock, its history read under it, verified, recorded together or not at all), at most
 * {@code maxParallel} at once; the expected shape is built once per distinct set of versions and template values and
 * every schema compared with it ({@link ExpectedShapes}). A dry run decides every schema the same way and records
 * nothing; a job records its progress and each schema's result in {@code adoption_jobs} and
 * {@code adoption_job_results}. A schema that is an adopted company already is reported so and left alone.
 */
@ApplicationScoped
public class FleetAdoptionService {

    /** At most this many schemas at once: each holds a connection on its server for its lock, one for its snapshot. */
    public static final int MAX_PARALLEL = 32;
    public static final int DEFAULT_PARALLEL = 4;

    /** One schema to adopt; null options take the request's. Without companyName, the schema's name is the company's. */
    public record Item(String schemaName, String companyName, Boolean acceptDrift, String baselineVersion,
                       String historyTable, Map<String, Object> settings) {
    }

    /** A fleet adoption as asked for: {@code items} or {@code all}, not both. */
    public record FleetRequest(String server, List<Item> items, boolean all, boolean acceptDrift, String historyTable,
                               Integer maxParallel) {
    }

    public enum Outcome {
        /** Adopted (in a dry run: would be). */
        ADOPTED,
        /** The history or the shape says no (see refusals); nothing recorded. */
        REFUSED,
        /** The schema is an adopted company already: nothing done. */
        ALREADY_ADOPTED,
        /** Not decided: the schema busy, the server gone, a name taken, an invalid name (see errorCode). */
        FAILED;

        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Outcome parse(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** What became of one schema. {@code errorCode} is the problem's code (e.g. {@code schema-busy}) when it failed. */
    public record Result(String schemaName, String companyName, Outcome outcome, UUID companyId, String tool,
                         Integer versions, boolean drifted, List<Refusal> refusals, String errorCode, String detail) {
    }

    /** A dry run's answer: every schema's result, nothing recorded. */
    public record DryRun(String server, int total, int scratchBuilds, List<Result> results) {
    }

    /** A job as recorded; {@code results} in the order they were decided. */
    public record Job(UUID id, String server, boolean all, int maxParallel, String state, int total, Integer scratchBuilds,
                      String error, OffsetDateTime startedAt, OffsetDateTime finishedAt, List<Result> results) {
    }

    private final AdoptionService adoption;
    private final DiscoveryService discovery;
    private final CatalogService catalog;
    private final Pool home;

    public FleetAdoptionService(AdoptionService adoption, DiscoveryService discovery, CatalogService catalog, Pool home) {
        this.adoption = adoption;
        this.discovery = discovery;
        this.catalog = catalog;
        this.home = home;
    }

    /** Decides every schema as adopting would, against the service's catalog; records nothing. */
    public Uni<DryRun> dryRun(FleetRequest request) {
        return dryRun(request, catalog.catalog());
    }

    public Uni<DryRun> dryRun(FleetRequest request, MigrationCatalog against) {
        String server = check(request);
        ExpectedShapes shapes = new ExpectedShapes();
        return items(request, server).flatMap(items -> run(server, items, request, against, shapes, true)
                .collect().asList()
                .map(results -> new DryRun(server, items.size(), shapes.builds(), results)));
    }

    /** Records the job and starts it; the answer is the job as started (its results follow). */
    public Uni<Job> start(FleetRequest request) {
        return start(request, catalog.catalog());
    }

    public Uni<Job> start(FleetRequest request, MigrationCatalog against) {
        String server = check(request);
        int parallel = parallel(request);
        return items(request, server).flatMap(items -> {
            UUID id = UUID.randomUUID();
            return home.preparedQuery("INSERT INTO public.adoption_jobs (id, server, all_schemas, max_parallel, total,"
                            + " state) VALUES ($1, $2, $3, $4, $5, 'running')")
                    .execute(Tuple.of(id, server, request.all(), parallel, items.size()))
                    .invoke(ok -> {
                        ExpectedShapes shapes = new ExpectedShapes();
                        // The job outlives the request that started it; its end is recorded, whatever it is.
                        run(server, items, request, against, shapes, false)
                                .onItem().call(result -> record(id, result))
                                .collect().last()
                                .flatMap(last -> finish(id, shapes, null))
                                .onFailure().recoverWithUni(e -> {
                                    Log.errorf(e, "Adoption job %s stopped", id);
                                    return finish(id, shapes, String.valueOf(e.getMessage()));
                                })
                                .subscribe().with(done -> Log.infof("Adoption job %s on %s finished: %d schemas,"
                                        + " %d scratch builds", id, server, items.size(), shapes.builds()));
                    })
                    .flatMap(ok -> get(id));
        });
    }

    public Uni<Job> get(UUID id) {
        return home.preparedQuery("SELECT id, server, all_schemas, max_parallel, state, total, scratch_builds, error,"
                        + " started_at, finished_at FROM public.adoption_jobs WHERE id = $1").execute(Tuple.of(id))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        throw new FlotillaException(ErrorCode.ADOPTION_JOB_NOT_FOUND, "No adoption job " + id,
                                Map.of("jobId", id));
                    }
                    Row job = rows.iterator().next();
                    return home.preparedQuery("SELECT schema_name, company_name, outcome, company_id, tool, versions,"
                                    + " drifted, refusals, error_code, detail FROM public.adoption_job_results"
                                    + " WHERE job_id = $1 ORDER BY decided_at, schema_name").execute(Tuple.of(id))
                            .map(results -> {
                                List<Result> list = new ArrayList<>();
                                results.forEach(r -> list.add(result(r)));
                                return new Job(job.getUUID("id"), job.getString("server"), job.getBoolean("all_schemas"),
                                        job.getInteger("max_parallel"), job.getString("state"), job.getInteger("total"),
                                        job.getInteger("scratch_builds"), job.getString("error"),
                                        job.getOffsetDateTime("started_at"), job.getOffsetDateTime("finished_at"), list);
                            });
                });
    }

    private static String check(FleetRequest request) {
        boolean listed = request.items() != null && !request.items().isEmpty();
        if (request.all() == listed) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Send either schemas (a non-empty list) or"
                    + " \"all\": true (every schema GET /api/v1/servers/{name}/discover lists), not both");
        }
        parallel(request);
        if (listed) {
            Set<String> seen = new HashSet<>();
            for (Item item : request.items()) {
                if (item == null || item.schemaName() == null || item.schemaName().isBlank()) {
                    throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Every entry of schemas needs a schemaName");
                }
                if (!seen.add(item.schemaName())) {
                    throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Schema '" + item.schemaName()
                            + "' is listed twice");
                }
            }
        }
        return request.server() == null || request.server().isBlank() ? TenantDatabase.HOME : request.server().trim();
    }

    private static int parallel(FleetRequest request) {
        int parallel = request.maxParallel() == null ? DEFAULT_PARALLEL : request.maxParallel();
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "maxParallel must be between 1 and " + MAX_PARALLEL);
        }
        return parallel;
    }

    /** The list as given, or every schema the discovery finds, each named for its schema. */
    private Uni<List<Item>> items(FleetRequest request, String server) {
        if (!request.all()) {
            return Uni.createFrom().item(request.items());
        }
        return discovery.discover(server, request.historyTable())
                .onFailure(e -> e instanceof FlotillaException f && f.code() == ErrorCode.SERVER_NOT_FOUND)
                .transform(e -> new FlotillaException(ErrorCode.SERVER_UNKNOWN, "No server named '" + server
                        + "' is registered (GET /api/v1/servers lists them); nothing was recorded",
                        Map.of("server", server), e))
                .map(found -> found.stream().map(Discovered::schemaName)
                        .map(schema -> new Item(schema, null, null, null, null, null)).toList());
    }

    /** Each item's result as it is decided, at most {@code maxParallel} at once. */
    private Multi<Result> run(String server, List<Item> items, FleetRequest request, MigrationCatalog against,
                              ExpectedShapes shapes, boolean dryRun) {
        int parallel = parallel(request);
        return companies(items).onItem().transformToMulti(known -> Multi.createFrom().iterable(items)
                .onItem().transformToUni(item -> {
                    Result already = known.get(item.schemaName());
                    return already != null ? Uni.createFrom().item(already)
                            : one(server, item, request, against, shapes, dryRun);
                }).merge(parallel));
    }

    /** Of the items' schemas, those that are companies already, as their results: one query at home. */
    private Uni<Map<String, Result>> companies(List<Item> items) {
        String[] schemas = items.stream().map(Item::schemaName).toArray(String[]::new);
        return home.preparedQuery("SELECT c.schema_name, c.company_name, c.id, a.company_id IS NOT NULL, a.tool,"
                        + " cardinality(a.versions), coalesce(a.drifted, false) FROM public.companies c"
                        + " LEFT JOIN public.adoptions a ON a.company_id = c.id WHERE c.schema_name = ANY($1::text[])")
                .execute(Tuple.of(schemas))
                .map(rows -> {
                    Map<String, Result> known = new HashMap<>();
                    for (Row r : rows) {
                        String schema = r.getString(0);
                        known.put(schema, r.getBoolean(3)
                                ? new Result(schema, r.getString(1), Outcome.ALREADY_ADOPTED, r.getUUID(2),
                                r.getString(4), r.getInteger(5), r.getBoolean(6), List.of(), null,
                                "An adopted company already: nothing done")
                                : new Result(schema, r.getString(1), Outcome.FAILED, r.getUUID(2), null, null, false,
                                List.of(), code(ErrorCode.SCHEMA_NAME_TAKEN), "Schema '" + schema
                                + "' belongs to company '" + r.getString(1) + "', which Flotilla onboarded"));
                    }
                    return known;
                });
    }

    private Uni<Result> one(String server, Item item, FleetRequest request, MigrationCatalog against,
                            ExpectedShapes shapes, boolean dryRun) {
        String companyName = item.companyName() == null || item.companyName().isBlank() ? item.schemaName()
                : item.companyName();
        boolean acceptDrift = item.acceptDrift() != null ? item.acceptDrift() : request.acceptDrift();
        String historyTable = item.historyTable() != null ? item.historyTable() : request.historyTable();
        AdoptRequest adopt = new AdoptRequest(new NewCompany(companyName, item.schemaName(), null, item.settings(),
                server), acceptDrift, item.baselineVersion(), historyTable);
        return Uni.createFrom().deferred(() -> adoption.adopt(adopt, against, shapes, dryRun))
                .map(a -> new Result(item.schemaName(), companyName,
                        a.created() ? Outcome.ADOPTED : Outcome.ALREADY_ADOPTED,
                        dryRun ? null : a.company().id(), a.tool(), a.versions().size(), a.drifted(), List.of(), null,
                        a.created() ? null : "An adopted company already: nothing done"))
                .onFailure().recoverWithItem(e -> failed(item.schemaName(), companyName, e));
    }

    @SuppressWarnings("unchecked")
    private static Result failed(String schema, String companyName, Throwable e) {
        if (e instanceof FlotillaException f && f.code() == ErrorCode.ADOPTION_REFUSED) {
            List<Refusal> refusals = (List<Refusal>) f.extensions().getOrDefault("refusals", List.of());
            return new Result(schema, companyName, Outcome.REFUSED, null, null, null, false, refusals, null,
                    f.getMessage());
        }
        if (e instanceof FlotillaException f) {
            return new Result(schema, companyName, Outcome.FAILED, null, null, null, false, List.of(), code(f.code()),
                    f.getMessage());
        }
        Log.warnf(e, "Adopting schema %s failed", schema);
        return new Result(schema, companyName, Outcome.FAILED, null, null, null, false, List.of(), "internal",
                String.valueOf(e.getMessage()));
    }

    private static String code(ErrorCode code) {
        return code.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private Uni<Void> record(UUID job, Result r) {
        JsonArray refusals = r.refusals().isEmpty() ? null : new JsonArray(r.refusals().stream()
                .map(x -> new JsonObject().put("reason", x.reason().value()).put("version", x.version())
                        .put("detail", x.detail())).toList());
        return home.preparedQuery("INSERT INTO public.adoption_job_results (job_id, schema_name, company_name, outcome,"
                        + " company_id, tool, versions, drifted, refusals, error_code, detail)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.tuple(Arrays.asList(job, r.schemaName(), r.companyName(), r.outcome().value(),
                        r.companyId(), r.tool(), r.versions(), r.drifted(), refusals, r.errorCode(), r.detail())))
                .replaceWithVoid();
    }

    private Uni<Void> finish(UUID job, ExpectedShapes shapes, String error) {
        return home.preparedQuery("UPDATE public.adoption_jobs SET state = $2, scratch_builds = $3, error = $4,"
                        + " finished_at = now() WHERE id = $1")
                .execute(Tuple.of(job, error == null ? "finished" : "failed", shapes.builds(), error))
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.errorf(e, "Adoption job %s ended but its end was not recorded", job))
                .onFailure().recoverWithNull();
    }

    private static Result result(Row r) {
        List<Refusal> refusals = new ArrayList<>();
        Object json = r.getValue("refusals");
        if (json instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                JsonObject o = array.getJsonObject(i);
                refusals.add(new Refusal(reason(o.getString("reason")), o.getString("version"), o.getString("detail")));
            }
        }
        return new Result(r.getString("schema_name"), r.getString("company_name"), Outcome.parse(r.getString("outcome")),
                r.getUUID("company_id"), r.getString("tool"), r.getInteger("versions"), r.getBoolean("drifted"),
                refusals, r.getString("error_code"), r.getString("detail"));
    }

    private static Refusal.Reason reason(String value) {
        return Refusal.Reason.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
