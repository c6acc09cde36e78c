package io.flotilla.maintenance;

/** What a maintenance job does in each company schema. */
public enum JobKind {
    /** Every materialized view: concurrently when it has a unique index and data, plainly otherwise. */
    REFRESH_MATERIALIZED_VIEWS,
    /** {@code VACUUM (ANALYZE)} of each table, outside any transaction. */
    VACUUM_ANALYZE,
    /** A SQL file from {@code MIGRATIONS_DIR/maintenance}, in one transaction per schema. */
    CUSTOM_SQL
}
