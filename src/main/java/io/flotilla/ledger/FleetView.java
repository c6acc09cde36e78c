package io.flotilla.ledger;

import java.util.List;
import java.util.UUID;

/**
 * The fleet at a glance: active companies per current version (their highest applied catalog version), and how many
 * have a failed last attempt, versions still pending, or files that changed after being applied.
 */
public record FleetView(long companies, String latestVersion, List<VersionCount> versions, long upToDate,
                        long pending, long failed, long drifted) {

    public record VersionCount(String version, long companies) {
    }

    /** A company whose applied files changed since, and which versions. */
    public record Drifted(UUID companyId, String companyName, String schemaName, List<String> versions) {
    }
}
