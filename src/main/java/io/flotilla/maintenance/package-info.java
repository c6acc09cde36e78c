/**
 * Scheduled maintenance of every tenant schema through Quartz's clustered JDBC store: built-in jobs (refresh
 * materialized views, vacuum and analyze) and custom SQL jobs from {@code MIGRATIONS_DIR/maintenance}, each run
 * and each company's step recorded in {@code maintenance_runs} / {@code maintenance_steps}.
 */
package io.flotilla.maintenance;
