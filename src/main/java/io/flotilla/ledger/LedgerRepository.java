package io.flotilla.ledger;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Queries on {@code public.migration_ledger}. Step writes run on the executor's connection. */
@ApplicationScoped
public class LedgerRepository {

    /**
     * What a step is about, before it has an outcome. {@code version} is null for a repeatable migration: its rows
     * carry {@link Repeatable#LEDGER_VERSION} and an empty {@code version_key}, and {@code name} is its name.
     */
    public record StepStart(UUID runId, UUID companyId, String schemaName, Version version, String name,
                            MigrationScript script, Direction direction, String executedBy) {
    }

    /** The PostgreSQL error a step failed with. */
    public record StepError(String message, String sqlState, Integer position) {
    }

    /** How many attempts a step took for its locks, and the session last seen holding them (null: none). */
    public record LockAttempts(int attempts, String blocker) {
        public static final LockAttempts ONE = new LockAttempts(1, null);
    }

    private final Pool pool;

    public LedgerRepository(Pool pool) {
        this.pool = pool;
    }

    private static final String INSERT_COLUMNS = "run_id, company_id, schema_name, version, version_key, name, script,"
            + " direction, status, checksum, transactional, executed_by, content_checksum";
    private static final String INSERT_VALUES = "$1, $2, $3, $4::text, " + versionKey("$4::text") + ", $5, $6,"
            + " $7, $8, $9, $10, $11, $12";

    /** The version's numeric parts; empty for a repeatable's {@code 'R'}, which has none. */
    public static String versionKey(String version) {
        return "coalesce(string_to_array(nullif(" + version + ", '" + Repeatable.LEDGER_VERSION + "'), '.')::numeric[],"
                + " '{}')";
    }

    /**
     * Keeps {@code migration_state} in step with the ledger rows of CTE {@code l}, in the same statement: a success
     * sets whether the version is applied, a failure only flags the last attempt (a failed rollback leaves the
     * version applied).
     */
    private static final String VERSION_UPSERT = " INSERT INTO public.migration_state AS s (company_id, version_key,"
            + " version, applied, checksum, content_checksum, applied_at, failed, error, ledger_id, updated_at)"
            + " SELECT DISTINCT ON (company_id, version_key) company_id, version_key, version, status IN ('applied', 'adopted'),"
            + " CASE WHEN status IN ('applied', 'adopted') THEN checksum END, CASE WHEN status IN ('applied', 'adopted') THEN content_checksum END,"
            + " CASE WHEN status IN ('applied', 'adopted') THEN finished_at END,"
            + " status = 'failed', error, id, now() FROM l WHERE version <> '" + Repeatable.LEDGER_VERSION + "'"
            + " ORDER BY company_id, version_key, id DESC"
            + " ON CONFLICT (company_id, version_key) DO UPDATE SET"
            + " applied = CASE WHEN EXCLUDED.failed THEN s.applied ELSE EXCLUDED.applied END,"
            + " checksum = CASE WHEN EXCLUDED.failed THEN s.checksum ELSE EXCLUDED.checksum END,"
            + " content_checksum = CASE WHEN EXCLUDED.failed THEN s.content_checksum ELSE EXCLUDED.content_checksum END,"
            + " applied_at = CASE WHEN EXCLUDED.failed THEN s.applied_at ELSE EXCLUDED.applied_at END,"
            + " failed = EXCLUDED.failed, error = EXCLUDED.error, ledger_id = EXCLUDED.ledger_id, updated_at = now()";
    /** The same for the repeatable rows of {@code l}, into {@code repeatable_state} by name. */
    private static final String REPEATABLE_UPSERT = " INSERT INTO public.repeatable_state AS s (company_id, name,"
            + " applied, checksum, applied_at, failed, error, ledger_id, updated_at)"
            + " SELECT DISTINCT ON (company_id, name) company_id, name, status IN ('applied', 'adopted'),"
            + " CASE WHEN status IN ('applied', 'adopted') THEN checksum END, CASE WHEN status IN ('applied', 'adopted') THEN finished_at END,"
            + " status = 'failed', error, id, now() FROM l WHERE version = '" + Repeatable.LEDGER_VERSION + "'"
            + " ORDER BY company_id, name, id DESC"
            + " ON CONFLICT (company_id, name) DO UPDATE SET"
            + " applied = CASE WHEN EXCLUDED.failed THEN s.applied ELSE EXCLUDED.applied END,"
            + " checksum = CASE WHEN EXCLUDED.failed THEN s.checksum ELSE EXCLUDED.checksum END,"
            + " applied_at = CASE WHEN EXCLUDED.failed THEN s.applied_at ELSE EXCLUDED.applied_at END,"
            + " failed = EXCLUDED.failed, error = EXCLUDED.error, ledger_id = EXCLUDED.ledger_id, updated_at = now()";
    /**
     * Both states, after {@code WITH l AS (…)}, as CTEs (run whether read or not), then the ledger rows' ids: one row
     * each, whichever of the two states they went to.
     */
    private static final String STATE_UPSERT = ", repeatables AS (" + REPEATABLE_UPSERT + "), versions AS ("
            + VERSION_UPSERT + ") SELECT id FROM l";
    private static final String RETURNED = " RETURNING id, company_id, version_key, version, name, status, checksum,"
            + " content_checksum, finished_at, error";

    private static Tuple stepParams(StepStart step, StepStatus status) {
        return Tuple.tuple(new ArrayList<>(List.of(step.runId(), step.companyId(), step.schemaName(),
                step.version() == null ? Repeatable.LEDGER_VERSION : step.version().toString(), step.name(), step.script().file(), step.direction().value(), status.value(),
                step.script().checksum(), step.script().transactional(), step.executedBy(),
                step.script().contentChecksum())));
    }

    /**
     * Records a failed transactional step in one statement (ledger row and state), after its transaction rolled
     * back, timed by the caller.
     */
    public Uni<Long> recordFailure(SqlConnection conn, StepStart step, OffsetDateTime startedAt, long durationMs,
                                   StepError error, LockAttempts locks) {
        Tuple params = stepParams(step, StepStatus.FAILED).addOffsetDateTime(startedAt).addLong(durationMs)
                .addString(error.message()).addString(error.sqlState()).addInteger(error.position())
                .addInteger(locks.attempts()).addString(locks.blocker());
        return conn.preparedQuery(RECORD_FAILURE).execute(params).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Records a step inside the step's own transaction, so the migration and its record commit together or not at
     * all: no separate "running" row, and no extra commit to wait for. Sent pipelined behind the script, it is timed
     * by the server: from the transaction's start ({@code now()}) to this statement.
     */
    public Uni<Long> recordInTransaction(SqlConnection conn, StepStart step, StepStatus status, LockAttempts locks) {
        return conn.preparedQuery(RECORD_IN_TRANSACTION).execute(stepParams(step, status)
                        .addInteger(locks.attempts()).addString(locks.blocker()))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private static String recordSql(String timingAndError) {
        return "WITH l AS (INSERT INTO public.migration_ledger (" + INSERT_COLUMNS
                + ", started_at, finished_at, duration_ms, error, error_sqlstate, error_position, lock_attempts,"
                + " lock_blocker) VALUES ("
                + INSERT_VALUES + ", " + timingAndError + ")" + RETURNED + ")" + STATE_UPSERT;
    }

    private static final String RECORD_FAILURE = recordSql("$13, clock_timestamp(), $14, $15, $16, $17, $18, $19");
    private static final String RECORD_IN_TRANSACTION = recordSql(
            "now(), clock_timestamp(), (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint, NULL, NULL, NULL,"
            + " $13, $14");

    /**
     * Records a non-transactional step as running before its SQL starts: its statements commit one by one, so if
     * the process dies half-way the ledger must already say the step began. One autocommit statement whose commit
     * does not wait for the disk ({@code synchronous_commit} off for its own transaction): the first statement's
     * own commit flushes the WAL past it, so it is durable before anything it describes is, one disk wait cheaper.
     */
    public Uni<Long> start(SqlConnection conn, StepStart step) {
        return conn.preparedQuery("INSERT INTO public.migration_ledger (" + INSERT_COLUMNS + ") SELECT "
                        + INSERT_VALUES + " FROM (SELECT set_config('synchronous_commit', 'off', true) AS setting) async"
                        + " WHERE async.setting = 'off' RETURNING id")
                .execute(stepParams(step, StepStatus.RUNNING))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Closes a running row with its outcome, and the state with it. */
    public Uni<Void> finish(SqlConnection conn, long id, StepStatus status, long durationMs, StepError error,
                            LockAttempts locks) {
        return conn.preparedQuery("WITH l AS (UPDATE public.migration_ledger SET status = $2,"
                        + " finished_at = clock_timestamp(), duration_ms = $3, error = $4, error_sqlstate = $5,"
                        + " error_position = $6, lock_attempts = $7, lock_blocker = $8 WHERE id = $1" + RETURNED + ")"
                        + STATE_UPSERT)
                .execute(Tuple.tuple(new ArrayList<>(java.util.Arrays.asList(id, status.value(), durationMs,
                        error == null ? null : error.message(), error == null ? null : error.sqlState(),
                        error == null ? null : error.position(), locks.attempts(), locks.blocker()))))
                .replaceWithVoid();
    }

    /**
     * Records that a company's schema was dropped, inside the transaction that drops it: for every version
     * {@code migration_state} has applied, a {@code down} row {@code rolled_back} (name and checksum of the step
     * that applied it, {@code script} saying why, timed by the server from the transaction's start), and the state
     * with it, so the versions are pending again. Emits the versions, in version order.
     */
    public Uni<List<String>> recordSchemaDropped(SqlConnection conn, UUID runId, UUID companyId, String schemaName,
                                                 String script, String executedBy) {
        return conn.preparedQuery(RECORD_SCHEMA_DROPPED)
                .execute(Tuple.of(runId, companyId, schemaName, script, executedBy))
                .map(rows -> {
                    List<String> versions = new ArrayList<>();
                    rows.forEach(row -> versions.add(row.getString(0)));
                    return versions;
                });
    }

    // Top-down, as a rollback would go: the repeatables (applied last) first, then the versions; state rows are
    // written by the later CTEs whether or not they are read. Only versions are emitted.
    private static final String RECORD_SCHEMA_DROPPED = "WITH l AS (INSERT INTO public.migration_ledger (" + INSERT_COLUMNS
            + ", started_at, finished_at, duration_ms)"
            + " (SELECT $1::uuid, r.company_id, $3::text, '" + Repeatable.LEDGER_VERSION + "'::text, '{}'::numeric[],"
            + " r.name::text, $4::text, 'down', 'rolled_back', r.checksum, coalesce(a.transactional, true), $5::text,"
            + " a.content_checksum, now(), clock_timestamp(),"
            + " (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint"
            + " FROM public.repeatable_state r LEFT JOIN LATERAL (SELECT m.transactional, m.content_checksum"
            + " FROM public.migration_ledger m"
            + " WHERE m.company_id = r.company_id AND m.version_key = '{}' AND m.name = r.name AND m.status IN ('applied', 'adopted')"
            + " ORDER BY m.id DESC LIMIT 1) a ON true WHERE r.company_id = $2 AND r.applied ORDER BY r.name)"
            + " UNION ALL"
            + " (SELECT $1::uuid, s.company_id, $3::text, s.version::text, s.version_key, coalesce(a.name, s.version)::text,"
            + " $4::text, 'down', 'rolled_back', s.checksum, coalesce(a.transactional, true), $5::text, s.content_checksum,"
            + " now(), clock_timestamp(),"
            + " (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint"
            + " FROM public.migration_state s LEFT JOIN LATERAL (SELECT m.name, m.transactional"
            + " FROM public.migration_ledger m WHERE m.company_id = s.company_id AND m.version_key = s.version_key"
            + " AND m.status IN ('applied', 'adopted') ORDER BY m.id DESC LIMIT 1) a ON true"
            + " WHERE s.company_id = $2 AND s.applied ORDER BY s.version_key DESC)" + RETURNED + "),"
            + " repeatables AS (" + REPEATABLE_UPSERT + "),"
            + " state AS (" + VERSION_UPSERT + ")"
            + " SELECT version FROM l WHERE version <> '" + Repeatable.LEDGER_VERSION + "' ORDER BY version_key";

    /**
     * Closes rows left running by a process that died mid-step. Only call while holding the schema's advisory
     * lock: then no live process can be running a step there, so every running row is stale. Their
     * transactions never committed (or, non-transactional, may have half-run), so the versions are pending again.
     */
    public Uni<Integer> closeInterrupted(SqlConnection conn, UUID companyId) {
        return conn.preparedQuery("WITH l AS (UPDATE public.migration_ledger SET status = 'failed',"
                        + " finished_at = clock_timestamp(),"
                        + " error = 'interrupted: the process running this step stopped before it finished'"
                        + " WHERE company_id = $1 AND status = 'running'" + RETURNED + ")" + STATE_UPSERT)
                .execute(Tuple.of(companyId)).map(rows -> rows.size());
    }

    /** A company schema the ledger has a step running on. */
    public record RunningSchema(UUID companyId, String schemaName) {
    }

    /**
     * Every company schema with a row still running in the ledger {@code client} reads: live steps, or ones a dead
     * process left (see closeInterrupted). At home ({@code home}), only home's own steps: a running copy of another
     * server's step is that server's to close, and its copy follows.
     */
    public Uni<List<RunningSchema>> runningSchemas(SqlClient client, boolean home) {
        return client.query("SELECT DISTINCT company_id, schema_name FROM public.migration_ledger WHERE status = 'running'"
                        + (home ? " AND server = 'home'" : ""))
                .execute()
                .map(rows -> {
                    List<RunningSchema> running = new ArrayList<>();
                    rows.forEach(row -> running.add(new RunningSchema(row.getUUID(0), row.getString(1))));
                    return running;
                });
    }

    /** Per version, the last settling step and any later unsettled attempt: one query, index-ordered. */
    public Uni<Map<Version, VersionHistory>> history(SqlConnection conn, UUID companyId) {
        return (conn == null ? pool.preparedQuery(HISTORY) : conn.preparedQuery(HISTORY))
                .execute(Tuple.of(companyId))
                .map(rows -> {
                    Map<Version, VersionHistory> byVersion = new LinkedHashMap<>();
                    for (Row row : rows) {
                        LedgerEntry entry = entry(row);
                        Version version = Version.parse(entry.version());
                        VersionHistory known = byVersion.get(version);
                        LedgerEntry settled = entry.status().settled() ? entry : known == null ? null : known.settled();
                        LedgerEntry attempt = entry.status().settled() ? known == null ? null : known.attempt() : entry;
                        byVersion.put(version, new VersionHistory(version, settled, attempt));
                    }
                    // An attempt older than the settling step is history, not state.
                    byVersion.replaceAll((v, h) -> h.attempt() != null && h.settled() != null
                            && h.attempt().id() < h.settled().id() ? new VersionHistory(v, h.settled(), null) : h);
                    return byVersion;
                });
    }

    private static final String HISTORY = "SELECT DISTINCT ON (version_key, status IN ('applied', 'rolled_back', 'adopted')) "
            + LedgerEntry.COLUMNS + " FROM public.migration_ledger WHERE company_id = $1"
            + " AND version <> '" + Repeatable.LEDGER_VERSION + "'"
            + " ORDER BY version_key, status IN ('applied', 'rolled_back', 'adopted'), id DESC";

    /**
     * Where the company stands with each repeatable migration it ever ran, by name: its state row, and whether a step
     * of it is still running in the ledger (the state row knows nothing of a running step).
     */
    public Uni<Map<String, RepeatableState>> repeatables(SqlConnection conn, UUID companyId) {
        String sql = REPEATABLES;
        return (conn == null ? pool.preparedQuery(sql) : conn.preparedQuery(sql))
                .execute(Tuple.of(companyId))
                .map(rows -> {
                    Map<String, RepeatableState> byName = new TreeMap<>();
                    rows.forEach(row -> byName.put(row.getString("name"), RepeatableState.from(row)));
                    return byName;
                });
    }

    private static final String REPEATABLES = "SELECT coalesce(s.name, r.name) AS name, coalesce(s.applied, false) AS applied,"
            + " s.checksum, s.applied_at, coalesce(s.failed, false) AS failed, s.error, coalesce(r.id, s.ledger_id) AS ledger_id,"
            + " r.id IS NOT NULL AS running"
            + " FROM (SELECT * FROM public.repeatable_state WHERE company_id = $1) s"
            + " FULL JOIN (SELECT DISTINCT ON (name) name, id FROM public.migration_ledger WHERE company_id = $1"
            + " AND version_key = '{}' AND status = 'running' ORDER BY name, id DESC) r ON r.name = s.name";

    /** {@link #shapes(List)}, versions only. */
    public Uni<Map<UUID, Map<Version, String>>> applied(List<UUID> companyIds) {
        return shapes(companyIds).map(shapes -> {
            Map<UUID, Map<Version, String>> versions = new HashMap<>();
            shapes.forEach((company, shape) -> {
                if (!shape.versions().isEmpty()) {
                    versions.put(company, shape.versions());
                }
            });
            return versions;
        });
    }

    /**
     * Applied versions and their checksums per company, as migration_state has them, and each repeatable's checksum as
     * last applied: one query for a whole fleet.
     * Read by shape (company_shapes → state_shapes, kept with migration_state by its triggers, those a run left
     * stale settled first), so 10,000 companies
     * are 10,000 (company, shape) rows plus the few shapes, each parsed once and shared by its companies. Both
     * parts come from one statement, so from one snapshot. A company with nothing applied is absent.
     */
    public Uni<Map<UUID, AppliedShape>> shapes(List<UUID> companyIds) {
        return Shapes.settle(pool).flatMap(settled -> pool.preparedQuery("WITH cs AS (SELECT company_id, shape FROM public.company_shapes WHERE company_id = ANY($1))"
                        + " SELECT company_id, shape, NULL::text[] AS versions, NULL::text[] AS checksums,"
                        + " NULL::text[] AS repeatables, NULL::text[] AS repeatable_checksums FROM cs"
                        + " UNION ALL SELECT NULL, sh.shape, sh.versions, sh.checksums, sh.repeatables,"
                        + " sh.repeatable_checksums FROM public.state_shapes sh"
                        + " WHERE sh.shape IN (SELECT shape FROM cs)"
                        + " AND (cardinality(sh.versions) > 0 OR cardinality(sh.repeatables) > 0)")
                .execute(Tuple.of(companyIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<String, AppliedShape> shapes = new HashMap<>();
                    Map<UUID, String> shapeOf = new HashMap<>();
                    for (Row row : rows) {
                        UUID company = row.getUUID(0);
                        if (company != null) {
                            shapeOf.put(company, row.getString(1));
                            continue;
                        }
                        String[] versions = row.getArrayOfStrings(2);
                        String[] checksums = row.getArrayOfStrings(3);
                        Map<Version, String> applied = new TreeMap<>();
                        for (int i = 0; i < versions.length; i++) {
                            applied.put(Version.parse(versions[i]), checksums[i].trim());
                        }
                        String[] names = row.getArrayOfStrings(4);
                        String[] sums = row.getArrayOfStrings(5);
                        Map<String, String> repeatables = new TreeMap<>();
                        for (int i = 0; i < names.length; i++) {
                            repeatables.put(names[i], sums[i].trim());
                        }
                        shapes.put(row.getString(1), new AppliedShape(Collections.unmodifiableMap(applied),
                                Collections.unmodifiableMap(repeatables)));
                    }
                    Map<UUID, AppliedShape> byCompany = new HashMap<>();
                    shapeOf.forEach((company, shape) -> {
                        AppliedShape applied = shapes.get(shape);
                        if (applied != null) {
                            byCompany.put(company, applied);
                        }
                    });
                    return byCompany;
                }));
    }

    /** Newest first; filters only add fixed predicates, values always travel as parameters. */
    public Uni<List<LedgerEntry>> find(LedgerFilter filter) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (filter.companyId() != null) {
            params.add(filter.companyId());
            where.add("company_id = $" + params.size());
        }
        if (filter.version() != null) {
            params.add(filter.version().toString());
            where.add("version_key = string_to_array($" + params.size() + ", '.')::numeric[]");
        }
        if (filter.repeatables()) {
            where.add("version_key = '{}'");
        }
        if (filter.status() != null) {
            params.add(filter.status().value());
            where.add("status = $" + params.size());
        }
        if (filter.since() != null) {
            params.add(filter.since());
            where.add("started_at >= $" + params.size());
        }
        if (filter.until() != null) {
            params.add(filter.until());
            where.add("started_at < $" + params.size());
        }
        if (filter.server() != null) {
            params.add(filter.server());
            where.add("server = $" + params.size());
        }
        if (filter.before() != null) {
            params.add(filter.before());
            where.add("id < $" + params.size());
        }
        params.add(filter.limit());
        String sql = "SELECT " + LedgerEntry.HOME_COLUMNS + " FROM public.migration_ledger"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id DESC LIMIT $" + params.size();
        return pool.preparedQuery(sql).execute(Tuple.tuple(params)).map(rows -> {
            List<LedgerEntry> entries = new ArrayList<>();
            rows.forEach(row -> entries.add(entry(row)));
            return entries;
        });
    }

    /** A ledger row (as {@code migration_ledger}'s columns) as the API shows it. */
    private static LedgerEntry entry(Row row) {
        return new LedgerEntry(row.getLong("id"), row.getUUID("run_id"), row.getUUID("company_id"),
                row.getString("schema_name"), row.getString("version"), row.getString("name"),
                row.getString("script"), Direction.parse(row.getString("direction")),
                StepStatus.parse(row.getString("status")), row.getString("checksum"),
                row.getBoolean("transactional"), row.getOffsetDateTime("started_at"),
                row.getOffsetDateTime("finished_at"), row.getLong("duration_ms"), row.getString("error"),
                row.getString("error_sqlstate"), row.getInteger("error_position"), row.getString("executed_by"),
                row.getColumnIndex("server") < 0 ? null : row.getString("server"), row.getString("content_checksum"),
                row.getInteger("lock_attempts"), row.getString("lock_blocker"));
    }
}
