package io.flotilla.ledger;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;

/**
 * Where one company stands with one repeatable migration: a row of {@code public.repeatable_state}, kept with the
 * repeatable's ledger rows as {@code migration_state} is with a version's.
 *
 * @param applied  the last settling step applied it (a reset rolls it back)
 * @param checksum the checksum it was last applied with, kept through a failed run since (null if never applied)
 * @param failed   the last attempt failed
 * @param ledgerId the ledger row that last changed the state, or the running one
 * @param running  a step of it is running in the ledger (now, or left so by a process that died)
 */
public record RepeatableState(String name, boolean applied, String checksum, OffsetDateTime appliedAt, boolean failed,
                              String error, long ledgerId, boolean running) {

    static RepeatableState from(Row row) {
        String checksum = row.getString("checksum");
        return new RepeatableState(row.getString("name"), row.getBoolean("applied"),
                checksum == null ? null : checksum.trim(), row.getOffsetDateTime("applied_at"), row.getBoolean("failed"),
                row.getString("error"), row.getLong("ledger_id"), row.getBoolean("running"));
    }
}
