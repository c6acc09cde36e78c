/** Typed configuration, the pool and the tenant database made from it (with the containment of a Vert.x pool bug, {@code PoolTimerRace}), and the zero-setup start-up (embedded PostgreSQL when no DB_HOST is configured). */
package io.flotilla.config;
