/**
 * The resolved side: migration files read from {@code MIGRATIONS_DIR} in any supported layout, paired with
 * their rollback scripts, checksummed and parsed for directives once at start-up (other tools' listings, a sqitch
 * plan and Liquibase changesets, are read by {@code Sqitch} and {@code Liquibase}); and {@link
 * io.flotilla.catalog.NewMigration}, which writes a directory's next migration in its own layout. The
 * {@code Direction} a migration runs in (up or down) lives here too, where both the ledger and the migrator see it.
 */
package io.flotilla.catalog;
