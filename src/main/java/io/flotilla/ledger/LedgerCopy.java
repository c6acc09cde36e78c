package io.flotilla.ledger;

import io.flotilla.sql.TenantDatabase;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Copies the steps a server recorded in its own ledger into the home ledger, which dashboards and fleet views read.
 * A server's step commits with its ledger row there; the copy follows right after and is idempotent (keyed by server
 * and the step's id on that server), so copying twice, or late after a crash, leaves the home ledger exact. Copies may
 * race (a step's own copy and {@link #reconcile}): a settled row is never overwritten by a running one, and a state row
 * only by a copy of a later step on its server.
 */
@ApplicationScoped
public class LedgerCopy {

    /** Rows read from a server per round when reconciling. */
    static final int PAGE = 2000;

    private static final String STEP_COLUMNS = "id, run_id, company_id, schema_name, version, name, script, direction,"
            + " status, checksum, transactional, started_at, finished_at, duration_ms, error, error_sqlstate,"
            + " error_position, executed_by, content_checksum, lock_attempts, lock_blocker";
    private static final String STATE_COLUMNS = "company_id, version, applied, checksum, content_checksum, applied_at,"
            + " failed, error, ledger_id";
    private static final String REPEATABLE_COLUMNS = "company_id, name, applied, checksum, applied_at, failed, error, ledger_id";

    private static final String UPSERT = "WITH r AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id bigint,"
            + " run_id uuid, company_id uuid, schema_name text, version text, name text, script text, direction text,"
            + " status text, checksum text, transactional boolean, started_at timestamptz, finished_at timestamptz,"
            + " duration_ms bigint, error text, error_sqlstate text, error_position integer, executed_by text,"
            + " content_checksum text, lock_attempts integer, lock_blocker text)),"
            + " l AS (INSERT INTO public.migration_ledger AS h (run_id, company_id, schema_name, version, version_key,"
            + " name, script, direction, status, checksum, transactional, started_at, finished_at, duration_ms, error,"
            + " error_sqlstate, error_position, executed_by, content_checksum, lock_attempts, lock_blocker, server,"
            + " server_step_id)"
            + " SELECT run_id, company_id, schema_name, version, " + LedgerRepository.versionKey("version") + ", name, script,"
            + " direction, status, checksum, transactional, started_at, finished_at, duration_ms, error, error_sqlstate,"
            + " error_position, executed_by, content_checksum, coalesce(lock_attempts, 1), lock_blocker, $1, id"
            + " FROM r ORDER BY id"
            + " ON CONFLICT (server, server_step_id) WHERE server_step_id IS NOT NULL DO UPDATE SET"
            + " status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, duration_ms = EXCLUDED.duration_ms,"
            + " error = EXCLUDED.error, error_sqlstate = EXCLUDED.error_sqlstate, error_position = EXCLUDED.error_position,"
            + " lock_attempts = EXCLUDED.lock_attempts, lock_blocker = EXCLUDED.lock_blocker"
            + " WHERE h.status = 'running' RETURNING id, server_step_id),"
            + " s AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(company_id uuid, version text, applied boolean,"
            + " checksum text, content_checksum text, applied_at timestamptz, failed boolean, error text,"
            + " ledger_id bigint)),"
            + " st AS (INSERT INTO public.migration_state AS m (company_id, version_key, version, applied, checksum,"
            + " content_checksum, applied_at, failed, error, ledger_id, server_ledger_id, updated_at)"
            + " SELECT s.company_id, string_to_array(s.version, '.')::numeric[], s.version, s.applied, s.checksum,"
            + " s.content_checksum,"
            + " s.applied_at, s.failed, s.error, coalesce((SELECT l.id FROM l WHERE l.server_step_id = s.ledger_id),"
            + " (SELECT h.id FROM public.migration_ledger h WHERE h.server = $1 AND h.server_step_id = s.ledger_id), 0),"
            + " s.ledger_id, now() FROM s"
            + " ON CONFLICT (company_id, version_key) DO UPDATE SET applied = EXCLUDED.applied,"
            + " checksum = EXCLUDED.checksum, content_checksum = EXCLUDED.content_checksum,"
            + " applied_at = EXCLUDED.applied_at, failed = EXCLUDED.failed,"
            + " error = EXCLUDED.error, ledger_id = EXCLUDED.ledger_id, server_ledger_id = EXCLUDED.server_ledger_id,"
            + " updated_at = now() WHERE m.server_ledger_id IS NULL OR m.server_ledger_id <= EXCLUDED.server_ledger_id"
            + " RETURNING 1),"
            // Repeatables' state, by name, under the same rule (a copy of a later step on its server wins).
            + " rs AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(company_id uuid, name text, applied boolean,"
            + " checksum text, applied_at timestamptz, failed boolean, error text, ledger_id bigint)),"
            + " rst AS (INSERT INTO public.repeatable_state AS m (company_id, name, applied, checksum, applied_at, failed,"
            + " error, ledger_id, server_ledger_id, updated_at)"
            + " SELECT s.company_id, s.name, s.applied, s.checksum, s.applied_at, s.failed, s.error,"
            + " coalesce((SELECT l.id FROM l WHERE l.server_step_id = s.ledger_id),"
            + " (SELECT h.id FROM public.migration_ledger h WHERE h.server = $1 AND h.server_step_id = s.ledger_id), 0),"
            + " s.ledger_id, now() FROM rs s"
            + " ON CONFLICT (company_id, name) DO UPDATE SET applied = EXCLUDED.applied,"
            + " checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at, failed = EXCLUDED.failed,"
            + " error = EXCLUDED.error, ledger_id = EXCLUDED.ledger_id, server_ledger_id = EXCLUDED.server_ledger_id,"
            + " updated_at = now() WHERE m.server_ledger_id IS NULL OR m.server_ledger_id <= EXCLUDED.server_ledger_id"
            + " RETURNING 1)"
            + " SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM st) + (SELECT count(*) FROM rst)";

    /** Where a server's copy stands: from its oldest step still running here, else after its newest. */
    private static final String WATERMARK = "SELECT coalesce(least(min(server_step_id) FILTER (WHERE status = 'running'),"
            + " max(server_step_id) + 1), 0) FROM public.migration_ledger WHERE server = $1";

    /** What one copy wrote to the home database. */
    public record Copied(long steps, long states) {
        static final Copied NONE = new Copied(0, 0);

        Copied plus(Copied other) {
            return new Copied(steps + other.steps, states + other.states);
        }
    }

    private final Pool home;

    public LedgerCopy(Pool home) {
        this.home = home;
    }

    /**
     * Copies one run's steps on one company, and the company's state, read on {@code server}'s connection (the
     * migrator's, still holding the schema lock, so what it reads is what that run left).
     */
    public Uni<Copied> copyRun(SqlClient server, String serverName, UUID companyId, UUID runId) {
        Uni<RowSet<Row>> steps = server.preparedQuery("SELECT " + STEP_COLUMNS
                + " FROM public.migration_ledger WHERE company_id = $1 AND run_id = $2 ORDER BY id").execute(Tuple.of(companyId, runId));
        Uni<RowSet<Row>> states = server.preparedQuery("SELECT " + STATE_COLUMNS
                + " FROM public.migration_state WHERE company_id = $1").execute(Tuple.of(companyId));
        Uni<RowSet<Row>> repeatables = server.preparedQuery("SELECT " + REPEATABLE_COLUMNS
                + " FROM public.repeatable_state WHERE company_id = $1").execute(Tuple.of(companyId));
        return Uni.combine().all().unis(steps, states, repeatables).asTuple()
                .flatMap(read -> write(serverName, steps(read.getItem1()), states(read.getItem2()),
                        repeatables(read.getItem3())));
    }

    /**
     * Brings the home ledger level with everything {@code server} recorded: every step from the watermark on, and
     * the state of every company those steps touched. At start-up and periodically, so that a process killed between
     * a server's commit and its copy loses no step.
     */
    public Uni<Copied> reconcile(TenantDatabase server) {
        return home.preparedQuery(WATERMARK).execute(Tuple.of(server.name()))
                .map(rows -> rows.iterator().next().getLong(0))
                .flatMap(from -> reconcileFrom(server, from, Copied.NONE));
    }

    private Uni<Copied> reconcileFrom(TenantDatabase server, long from, Copied sofar) {
        return server.pool().preparedQuery("SELECT " + STEP_COLUMNS
                        + " FROM public.migration_ledger WHERE id >= $1 ORDER BY id LIMIT $2").execute(Tuple.of(from, PAGE))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(sofar);
                    }
                    JsonArray steps = steps(rows);
                    Set<UUID> companies = new LinkedHashSet<>();
                    long last = from;
                    for (Row row : rows) {
                        companies.add(row.getUUID("company_id"));
                        last = row.getLong("id");
                    }
                    long next = last + 1;
                    boolean more = rows.size() == PAGE;
                    Tuple ids = Tuple.of(companies.toArray(UUID[]::new));
                    Uni<RowSet<Row>> states = server.pool().preparedQuery("SELECT " + STATE_COLUMNS
                            + " FROM public.migration_state WHERE company_id = ANY($1)").execute(ids);
                    Uni<RowSet<Row>> repeatables = server.pool().preparedQuery("SELECT " + REPEATABLE_COLUMNS
                            + " FROM public.repeatable_state WHERE company_id = ANY($1)").execute(ids);
                    return Uni.combine().all().unis(states, repeatables).asTuple()
                            .flatMap(read -> write(server.name(), steps, states(read.getItem1()),
                                    repeatables(read.getItem2())))
                            .flatMap(copied -> more ? reconcileFrom(server, next, sofar.plus(copied))
                                    : Uni.createFrom().item(sofar.plus(copied)));
                });
    }

    private Uni<Copied> write(String server, JsonArray steps, JsonArray states, JsonArray repeatables) {
        if (steps.isEmpty() && states.isEmpty() && repeatables.isEmpty()) {
            return Uni.createFrom().item(Copied.NONE);
        }
        return home.preparedQuery(UPSERT).execute(Tuple.of(server, steps, states, repeatables))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Copied(row.getLong(0), row.getLong(1));
                });
    }

    private static JsonArray steps(RowSet<Row> rows) {
        JsonArray steps = new JsonArray();
        for (Row row : rows) {
            steps.add(new JsonObject()
                    .put("id", row.getLong("id"))
                    .put("run_id", row.getUUID("run_id").toString())
                    .put("company_id", row.getUUID("company_id").toString())
                    .put("schema_name", row.getString("schema_name"))
                    .put("version", row.getString("version"))
                    .put("name", row.getString("name"))
                    .put("script", row.getString("script"))
                    .put("direction", row.getString("direction"))
                    .put("status", row.getString("status"))
                    .put("checksum", row.getString("checksum"))
                    .put("transactional", row.getBoolean("transactional"))
                    .put("started_at", text(row.getOffsetDateTime("started_at")))
                    .put("finished_at", text(row.getOffsetDateTime("finished_at")))
                    .put("duration_ms", row.getLong("duration_ms"))
                    .put("error", row.getString("error"))
                    .put("error_sqlstate", row.getString("error_sqlstate"))
                    .put("error_position", row.getInteger("error_position"))
                    .put("executed_by", row.getString("executed_by"))
                    .put("content_checksum", row.getString("content_checksum"))
                    .put("lock_attempts", row.getInteger("lock_attempts"))
                    .put("lock_blocker", row.getString("lock_blocker")));
        }
        return steps;
    }

    private static JsonArray states(RowSet<Row> rows) {
        JsonArray states = new JsonArray();
        for (Row row : rows) {
            states.add(new JsonObject()
                    .put("company_id", row.getUUID("company_id").toString())
                    .put("version", row.getString("version"))
                    .put("applied", row.getBoolean("applied"))
                    .put("checksum", row.getString("checksum"))
                    .put("content_checksum", row.getString("content_checksum"))
                    .put("applied_at", text(row.getOffsetDateTime("applied_at")))
                    .put("failed", row.getBoolean("failed"))
                    .put("error", row.getString("error"))
                    .put("ledger_id", row.getLong("ledger_id")));
        }
        return states;
    }

    private static JsonArray repeatables(RowSet<Row> rows) {
        JsonArray states = new JsonArray();
        for (Row row : rows) {
            states.add(new JsonObject()
                    .put("company_id", row.getUUID("company_id").toString())
                    .put("name", row.getString("name"))
                    .put("applied", row.getBoolean("applied"))
                    .put("checksum", row.getString("checksum"))
                    .put("applied_at", text(row.getOffsetDateTime("applied_at")))
                    .put("failed", row.getBoolean("failed"))
                    .put("error", row.getString("error"))
                    .put("ledger_id", row.getLong("ledger_id")));
        }
        return states;
    }

    private static String text(OffsetDateTime at) {
        return at == null ? null : at.toString();
    }
}
