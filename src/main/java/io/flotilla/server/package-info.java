/**
 * The PostgreSQL servers tenant schemas live on: the registry ({@code public.tenant_servers}), where each server's
 * password comes from (never stored), one pool per server, the reachability check, and Flotilla's own ledger tables
 * installed on every server other than home ({@code db/server}).
 */
package io.flotilla.server;
