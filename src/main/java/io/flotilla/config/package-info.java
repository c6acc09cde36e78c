/** Typed configuration, the pool and the tenant database made from it, and the zero-setup start-up (embedded PostgreSQL when no DB_HOST is configured). */
package io.flotilla.config;
