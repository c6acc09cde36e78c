/**
 * The resolved side: migration files read from {@code MIGRATIONS_DIR} in any supported layout, paired with
 * their rollback scripts, checksummed and parsed for directives once at start-up (other tools' listings, a sqitch
 * plan and Liquibase changesets, are read by {@code Sqitch} and {@code Liquibase}); what a script may not do is
 * refused there too, file and line named ({@code TransactionWrap}: transaction control beyond a whole-file wrap,
 * which is taken off; {@link io.flotilla.catalog.TenantBoundary}: roles, databases, the server, other schemas); and {@link
 * io.flotilla.catalog.NewMigration}, which writes a directory's next migration in its own layout. The
 * {@code Direction} a migration runs in (up or down) lives here too, where both the ledger and the migrator see it.
 */
package io.flotilla.catalog;
