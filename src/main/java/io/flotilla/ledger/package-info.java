/**
 * The applied side: {@code public.migration_ledger}, one row per step, the source of truth for what each tenant
 * schema holds and what dashboards read; the catalog × ledger join that says where each version stands
 * ({@code MigrationInfo}); the janitor that closes steps a dead process left running.
 */
package io.flotilla.ledger;
