package io.flotilla.sql;

/**
 * The session that most likely kept a step from its lock, as PostgreSQL showed it right after the attempt gave up: of
 * the other sessions holding locks on the schema's tables, the one whose transaction has been open longest.
 *
 * @param query the first 200 characters of its current (or last) query; null unless {@code flotilla.locks.record-query}
 */
public record Blocker(int pid, String applicationName, String state, Long transactionSeconds, String query) {

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
