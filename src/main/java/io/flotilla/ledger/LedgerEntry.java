package io.flotilla.ledger;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationScript;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of {@code public.migration_ledger}: one step on one tenant schema, on the server that holds the schema
 * (home for a step recorded here, another server's name for a step copied from that server's own ledger; null when
 * read from a server's own ledger, which knows no other server). {@code contentChecksum} is the script's
 * {@link io.flotilla.catalog.MigrationScript#contentChecksum()} (null on rows older than it). {@code lockAttempts}:
 * how many attempts the step took for its locks (each with a short {@code lock_timeout}); {@code lockBlocker}: the
 * session last seen holding them, described (null when no attempt timed out).
 */
public record LedgerEntry(long id, UUID runId, UUID companyId, String schemaName, String version, String name,
                          String script, Direction direction, StepStatus status, String checksum,
                          boolean transactional, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                          Long durationMs, String error, String errorSqlState, Integer errorPosition,
                          String executedBy, String server, String contentChecksum, int lockAttempts,
                          String lockBlocker) {

    static final String COLUMNS = "id, run_id, company_id, schema_name, version, name, script, direction, status,"
            + " checksum, transactional, started_at, finished_at, duration_ms, error, error_sqlstate,"
            + " error_position, executed_by, content_checksum, lock_attempts, lock_blocker";
    /** Home's ledger only: a server's own ledger (db/server) records its own steps and has no such column. */
    static final String HOME_COLUMNS = COLUMNS + ", server";

    /**
     * Whether this step ran {@code script}: the same file, or the same statements from a file laid out otherwise (a
     * catalog renamed into another layout is not drift).
     */
    public boolean ran(MigrationScript script) {
        return script.checksum().equals(checksum.trim())
                || contentChecksum != null && script.contentChecksum().equals(contentChecksum.trim());
    }
}
