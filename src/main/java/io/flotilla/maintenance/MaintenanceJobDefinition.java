package io.flotilla.maintenance;

/**
 * A job Flotilla can run on every tenant schema.
 *
 * @param cron    Quartz cron (seconds first) after configuration overrides
 * @param enabled false: known, runnable by hand, but not scheduled
 * @param sql     the custom job's SQL (normalised), null for built-ins
 */
public record MaintenanceJobDefinition(String name, JobKind kind, String cron, boolean enabled, String description,
                                       String file, String sql) {
}
