package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A move asked for: where to, and whether a copy (writes blocked for the whole copy) is acceptable. */
@Schema(name = "MoveRequest")
public record MoveRequest(
        @Schema(required = true, description = "The registered server to move the company to (active)") String server,
        @Schema(description = "Whether to move by copy when logical replication is not possible (the source's wal_level"
                + " is below logical): writes then wait for the whole copy. Default true; false refuses such a move")
        Boolean allowCopy) {
}
