package io.flotilla.ledger;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Queries on {@code public.migration_ledger}. Step writes run on the executor's connection. */
@ApplicationScoped
public class LedgerRepository {

    /** What a step is about, before it has an outcome. */
    public record StepStart(UUID runId, UUID companyId, String schemaName, Version version, String name,
                            MigrationScript script, Direction direction, String executedBy) {
    }

    /** The PostgreSQL error a step failed with. */
    public record StepError(String message, String sqlState, Integer position) {
    }

    private final Pool pool;

    public LedgerRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Records a step as running and returns its id. A transactional step's row is committed without waiting for
     * the disk ({@code synchronous_commit off}): the step's own commit flushes it, and if the server dies first
     * the step did not happen either. A non-transactional step's row must be durable before its SQL runs.
     */
    public Uni<Long> start(SqlConnection conn, StepStart step) {
        Tuple params = Tuple.tuple(List.of(step.runId(), step.companyId(), step.schemaName(),
                step.version().toString(), step.name(), step.script().file(), step.direction().value(),
                step.script().checksum(), step.script().transactional(), step.executedBy()));
        String insert = "INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key,"
                + " name, script, direction, status, checksum, transactional, executed_by)"
                + " VALUES ($1, $2, $3, $4::text, string_to_array($4::text, '.')::numeric[], $5, $6, $7, 'running', $8, $9, $10)"
                + " RETURNING id";
        if (!step.script().transactional()) {
            return conn.preparedQuery(insert).execute(params).map(rows -> rows.iterator().next().getLong(0));
        }
        return conn.begin().flatMap(tx -> conn.query("SET LOCAL synchronous_commit TO OFF").execute()
                .flatMap(ignored -> conn.preparedQuery(insert).execute(params))
                .map(rows -> rows.iterator().next().getLong(0))
                .call(tx::commit)
                .onFailure().call(() -> tx.rollback().onFailure().recoverWithNull()));
    }

    /** Marks a step done; for a transactional step this runs inside the step's transaction. */
    public Uni<Void> succeed(SqlConnection conn, long id, StepStatus status, long durationMs) {
        return conn.preparedQuery("UPDATE public.migration_ledger SET status = $2, finished_at = clock_timestamp(),"
                        + " duration_ms = $3 WHERE id = $1")
                .execute(Tuple.of(id, status.value(), durationMs)).replaceWithVoid();
    }

    public Uni<Void> fail(SqlConnection conn, long id, long durationMs, StepError error) {
        return conn.preparedQuery("UPDATE public.migration_ledger SET status = 'failed', finished_at = clock_timestamp(),"
                        + " duration_ms = $2, error = $3, error_sqlstate = $4, error_position = $5 WHERE id = $1")
                .execute(Tuple.of(id, durationMs, error.message(), error.sqlState(), error.position()))
                .replaceWithVoid();
    }

    /**
     * Closes rows left running by a process that died mid-step. Only call while holding the schema's advisory
     * lock: then no live process can be running a step there, so every running row is stale. Their
     * transactions never committed (or, non-transactional, may have half-run), so the versions are pending again.
     */
    public Uni<Integer> closeInterrupted(SqlConnection conn, UUID companyId) {
        return conn.preparedQuery("UPDATE public.migration_ledger SET status = 'failed', finished_at = clock_timestamp(),"
                        + " error = 'interrupted: the process running this step stopped before it finished'"
                        + " WHERE company_id = $1 AND status = 'running'")
                .execute(Tuple.of(companyId)).map(rows -> rows.rowCount());
    }

    /** Per version, the last settling step and any later unsettled attempt: one query, index-ordered. */
    public Uni<Map<Version, VersionHistory>> history(SqlConnection conn, UUID companyId) {
        return (conn == null ? pool.preparedQuery(HISTORY) : conn.preparedQuery(HISTORY))
                .execute(Tuple.of(companyId))
                .map(rows -> {
                    Map<Version, VersionHistory> byVersion = new LinkedHashMap<>();
                    for (Row row : rows) {
                        LedgerEntry entry = LedgerEntry.from(row);
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

    private static final String HISTORY = "SELECT DISTINCT ON (version_key, status IN ('applied', 'rolled_back')) "
            + LedgerEntry.COLUMNS + " FROM public.migration_ledger WHERE company_id = $1"
            + " ORDER BY version_key, status IN ('applied', 'rolled_back'), id DESC";

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
        if (filter.status() != null) {
            params.add(filter.status().value());
            where.add("status = $" + params.size());
        }
        if (filter.since() != null) {
            params.add(filter.since());
            where.add("started_at >= $" + params.size());
        }
        if (filter.before() != null) {
            params.add(filter.before());
            where.add("id < $" + params.size());
        }
        params.add(filter.limit());
        String sql = "SELECT " + LedgerEntry.COLUMNS + " FROM public.migration_ledger"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id DESC LIMIT $" + params.size();
        return pool.preparedQuery(sql).execute(Tuple.tuple(params)).map(rows -> {
            List<LedgerEntry> entries = new ArrayList<>();
            rows.forEach(row -> entries.add(LedgerEntry.from(row)));
            return entries;
        });
    }
}
