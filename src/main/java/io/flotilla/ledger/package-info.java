/**
 * The applied side: {@code public.migration_ledger}, one row per step, the source of truth for what each tenant
 * schema holds and what dashboards read; the catalog × ledger join that says where each version stands
 * ({@code MigrationInfo}); the copy of every server's steps into the home ledger ({@code LedgerCopy}); drift.
 */
package io.flotilla.ledger;
