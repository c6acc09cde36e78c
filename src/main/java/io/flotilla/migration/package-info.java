/**
 * Applying migrations to a tenant schema: what to run (targets, template values), the migrator that runs it one
 * transaction per migration under the schema's advisory lock with every step in the ledger, and what a run did.
 */
package io.flotilla.migration;
