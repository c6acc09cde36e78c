package io.flotilla.lock;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The session that most likely kept a step from its lock, as PostgreSQL showed it right after the attempt gave up: of
 * the other sessions holding locks on the schema's tables, the one whose transaction has been open longest.
 *
 * @param query the first 200 characters of its current (or last) query; null unless {@code flotilla.locks.record-query}
 */
public record Blocker(int pid, String applicationName, String state, Long transactionSeconds, String query) {

    /**
     * Of the other sessions holding a lock on a relation of {@code schema}, the one whose transaction is oldest, as
     * {@code client}'s session sees it; null item when there is none. Its query is read only when {@code withQuery}
     * ({@code flotilla.locks.record-query}): left unread, it cannot be recorded.
     */
    public static Uni<Blocker> read(SqlClient client, String schema, boolean withQuery) {
        return client.preparedQuery("SELECT a.pid, a.application_name, a.state,"
                        + " extract(epoch FROM now() - a.xact_start)::bigint, CASE WHEN $2 THEN left(a.query, 200) END"
                        + " FROM pg_stat_activity a WHERE a.pid IN (SELECT l.pid FROM pg_locks l"
                        + " JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = $1 AND l.granted AND l.pid <> pg_backend_pid())"
                        + " ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 1")
                .execute(Tuple.of(schema, withQuery))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return (Blocker) null;
                    }
                    var row = it.next();
                    return new Blocker(row.getInteger(0), row.getString(1), row.getString(2), row.getLong(3),
                            row.getString(4));
                });
    }

    /** One line for the ledger and the failures: pid, application, state, how long its transaction is open, query. */
    public String describe() {
        StringBuilder s = new StringBuilder("pid ").append(pid).append(" (application '")
                .append(applicationName == null ? "" : applicationName).append("', ").append(state);
        if (transactionSeconds != null) {
            s.append(", transaction open ").append(transactionSeconds).append(" s");
        }
        s.append(')');
        if (query != null && !query.isBlank()) {
            s.append(": ").append(query.replaceAll("\\s+", " ").trim());
        }
        return s.toString();
    }
}
