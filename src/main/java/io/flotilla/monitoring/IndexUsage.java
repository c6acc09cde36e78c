package io.flotilla.monitoring;

import java.util.UUID;

/**
 * An index in a tenant schema with its scan counters since statistics were last reset. {@code neverUsed} marks an
 * index nothing has scanned that enforces no constraint, so dropping it would only save space and write cost.
 */
public record IndexUsage(UUID companyId, String companyName, String schemaName, String tableName, String indexName,
                         long idxScan, long idxTupRead, long idxTupFetch, long sizeBytes, boolean unique,
                         boolean primary, boolean neverUsed) {
}
