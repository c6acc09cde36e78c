package io.flotilla.ledger;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The fleet at a glance: active companies per current version (their highest applied catalog version), and how many
 * have a failed last attempt, versions still pending, or files that changed after being applied; the same per
 * server. With a {@code server} filter, every count is of that server's companies.
 */
public record FleetView(long companies, @Schema(nullable = true) String latestVersion, List<VersionCount> versions,
                        long upToDate,
                        long pending, long failed, long drifted,
                        @Schema(description = "The server filter applied; absent for the whole fleet",
                                nullable = true) String server,
                        @Schema(description = "Per registered server (only the filtered one with server=), home first")
                        List<ServerSummary> servers) {

    /** One server's active companies counted as the fleet counts them, and what its last check found. */
    @Schema(name = "FleetServer")
    public record ServerSummary(String server,
                                @Schema(description = "active, draining or offline (see GET /api/v1/servers)",
                                        enumeration = {"active", "draining", "offline"}) String state,
                                @Schema(description = "Answer to the last check; absent before the first",
                                        nullable = true) Boolean reachable,
                                @Schema(description = "The last check's error; absent when it answered",
                                        nullable = true) String lastError, @Schema(nullable = true) OffsetDateTime lastCheckedAt,
                                long companies, long upToDate,
                                long pending, long failed, long drifted) {
    }

    public record VersionCount(@Schema(nullable = true) String version, long companies) {
    }
}
