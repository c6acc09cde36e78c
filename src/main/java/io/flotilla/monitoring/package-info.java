/**
 * What the tenant schemas cost and how the database is doing: table and index sizes, index usage, sessions per
 * state, and the Prometheus gauges refreshed from them. Reads PostgreSQL's catalogs and statistics only.
 */
package io.flotilla.monitoring;
