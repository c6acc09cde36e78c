/** Typed configuration, the pool and the tenant database made from it (with the containment of a Vert.x pool bug, {@code PoolTimerRace}), and the embedded PostgreSQL the zero-setup start-up uses when no DB_HOST is configured (the start itself is
 * {@code cli.FlotillaMain}, the jar's one entry point). */
package io.flotilla.config;
