package io.flotilla.monitoring;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/** Client sessions on Flotilla's database, grouped by state and application, largest group first. */
public record ConnectionsView(int maxConnections, long total, List<Group> groups) {

    /**
     * Sessions sharing a state and an application name. The oldest transaction and the oldest query start tell a
     * stuck session apart (a long "idle in transaction" holds locks and stops vacuum); ages are in seconds.
     */
    public record Group(@Schema(nullable = true) String state, String applicationName, long connections,
                        long waitingOnLock,
                        @Schema(nullable = true) OffsetDateTime oldestTransactionStart,
                        @Schema(nullable = true) Double oldestTransactionSeconds,
                        @Schema(nullable = true) OffsetDateTime oldestQueryStart,
                        @Schema(nullable = true) Double oldestQuerySeconds) {
    }
}
