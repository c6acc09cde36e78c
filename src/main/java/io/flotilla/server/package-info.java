/**
 * The PostgreSQL servers tenant schemas live on: the registry ({@code public.tenant_servers}), where each server's
 * password comes from (never stored), one pool per server, the reachability check (and the two log lines of an outage of home, {@code HomeOutage}), and Flotilla's own ledger tables
 * installed on every server other than home ({@code db/server}); the work that goes over every server's own ledger
 * (reconciliation with the home copy, the janitor that closes steps a dead process left running).
 */
package io.flotilla.server;
