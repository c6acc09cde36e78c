package io.flotilla.move;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * One row of {@code public.company_moves}. Read and written on the Vert.x client, not as a Hibernate entity: the job
 * updates its row from a chain that runs long after the request that started it, outside any session.
 *
 * @param replicaFull tables given {@code REPLICA IDENTITY FULL} for the move, restored at its end
 * @param renamedTo   the source schema's name after the cut-over
 */
public record Move(UUID id, UUID companyId, String schemaName, String source, String target, MoveMethod method,
                   MovePhase phase, boolean cancelRequested, long rowsCopied, long bytesCopied, Long estimatedBytes,
                   Long lagBytes, Long pauseMs, List<String> replicaFull, String renamedTo, String error,
                   OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {

    static final String COLUMNS = "id, company_id, schema_name, source, target, method, phase, cancel_requested,"
            + " rows_copied, bytes_copied, estimated_bytes, lag_bytes, pause_ms, replica_full, renamed_to, error,"
            + " created_at, updated_at, finished_at";

    static Move from(Row r) {
        String[] full = r.getArrayOfStrings("replica_full");
        return new Move(r.getUUID("id"), r.getUUID("company_id"), r.getString("schema_name"), r.getString("source"),
                r.getString("target"), MoveMethod.of(r.getString("method")), MovePhase.of(r.getString("phase")),
                r.getBoolean("cancel_requested"), r.getLong("rows_copied"), r.getLong("bytes_copied"),
                r.getLong("estimated_bytes"), r.getLong("lag_bytes"), r.getLong("pause_ms"),
                full == null ? List.of() : List.of(full), r.getString("renamed_to"), r.getString("error"),
                utc(r.getOffsetDateTime("created_at")), utc(r.getOffsetDateTime("updated_at")),
                utc(r.getOffsetDateTime("finished_at")));
    }

    /** The names of the publication, the subscription and the replication slot: one, derived from the move's id. */
    public String replicationName() {
        return ReplicationSql.replicationName(id);
    }

    private static OffsetDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
    }
}
