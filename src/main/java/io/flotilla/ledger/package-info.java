/**
 * The applied side: {@code public.migration_ledger}, one row per step, the source of truth for what each tenant
 * schema holds and what dashboards read.
 */
package io.flotilla.ledger;
