package io.flotilla.maintenance;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;

/** A job as the API lists it: its schedule and how its last run went. */
public record MaintenanceJobView(String name,
                                 @Schema(enumeration = {"refresh-materialized-views", "vacuum-analyze", "custom-sql"})
                                 String kind, @Schema(nullable = true) String description, String cron,
                                 boolean enabled,
                                 @Schema(nullable = true) OffsetDateTime nextFireTime,
                                 @Schema(nullable = true) MaintenanceRun lastRun) {
}
