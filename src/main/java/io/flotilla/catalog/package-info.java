/**
 * The resolved side: migration files read from {@code MIGRATIONS_DIR} in any supported layout, paired with
 * their rollback scripts, checksummed and parsed for directives once at start-up.
 */
package io.flotilla.catalog;
