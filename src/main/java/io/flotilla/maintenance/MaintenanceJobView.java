package io.flotilla.maintenance;

import java.time.OffsetDateTime;

/** A job as the API lists it: its schedule and how its last run went. */
public record MaintenanceJobView(String name, String kind, String description, String cron, boolean enabled,
                                 OffsetDateTime nextFireTime, MaintenanceRun lastRun) {
}
