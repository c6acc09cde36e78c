package io.flotilla.maintenance;

import io.flotilla.catalog.MigrationScript;

/**
 * A job Flotilla can run on every tenant schema.
 *
 * @param cron    Quartz cron (seconds first) after configuration overrides
 * @param enabled false: known, runnable by hand, but not scheduled
 * @param script  the custom job's SQL (normalised), rendered as migrations are; null for built-ins
 */
public record MaintenanceJobDefinition(String name, JobKind kind, String cron, boolean enabled, String description,
                                       String file, MigrationScript script) {
}
