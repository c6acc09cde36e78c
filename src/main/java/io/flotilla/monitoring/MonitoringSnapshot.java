package io.flotilla.monitoring;

import java.util.Map;

/** What the gauges show, read in one query: fleet-wide totals only, never one value per tenant. */
public record MonitoringSnapshot(long tenantBytes, long largestTenantBytes, long unusedIndexes,
                                 Map<ConnectionState, Long> connections, long scheduledRollouts,
                                 long overdueScheduledRollouts) {
}
