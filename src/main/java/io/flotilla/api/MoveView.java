package io.flotilla.api;

import io.flotilla.move.Move;
import io.flotilla.move.MoveMethod;
import io.flotilla.move.MovePhase;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A move as clients see it. Named Move in the contract. */
@Schema(name = "Move")
public record MoveView(UUID id, UUID companyId, String schemaName,
                       @Schema(description = "The server the company was on") String source,
                       @Schema(description = "The server it goes to") String target,
                       MoveMethod method, MovePhase phase,
                       @Schema(description = "Rows on the target so far (the initial copy's inserts; after the"
                               + " cut-over, every table's count)") long rowsCopied,
                       @Schema(description = "Bytes on the target so far (logical: the schema's size there; copy: the"
                               + " rows' text)") long bytesCopied,
                       @Schema(nullable = true, description = "The source schema's size when the move was asked for")
                       Long estimatedBytes,
                       @Schema(nullable = true, description = "Bytes of WAL the target is behind the source (logical)")
                       Long lagBytes,
                       @Schema(nullable = true, description = "How long writes were blocked, once done") Long pauseMs,
                       boolean cancelRequested,
                       @Schema(nullable = true, description = "The source schema's name after the move") String renamedTo,
                       @Schema(nullable = true) String error,
                       OffsetDateTime createdAt, OffsetDateTime updatedAt,
                       @Schema(nullable = true) OffsetDateTime finishedAt) {

    public static MoveView of(Move m) {
        return new MoveView(m.id(), m.companyId(), m.schemaName(), m.source(), m.target(), m.method(), m.phase(),
                m.rowsCopied(), m.bytesCopied(), m.estimatedBytes(), m.lagBytes(), m.pauseMs(), m.cancelRequested(),
                m.renamedTo(), m.error(), m.createdAt(), m.updatedAt(), m.finishedAt());
    }
}
