package io.flotilla.monitoring;

import java.time.OffsetDateTime;
import java.util.List;

/** Client sessions on Flotilla's database, grouped by state and application, largest group first. */
public record ConnectionsView(int maxConnections, long total, List<Group> groups) {

    /**
     * Sessions sharing a state and an application name. The oldest transaction and the oldest query start tell a
     * stuck session apart (a long "idle in transaction" holds locks and stops vacuum); ages are in seconds.
     */
    public record Group(String state, String applicationName, long connections, long waitingOnLock,
                        OffsetDateTime oldestTransactionStart, Double oldestTransactionSeconds,
                        OffsetDateTime oldestQueryStart, Double oldestQuerySeconds) {
    }
}
