/**
 * Applying migrations to a tenant schema: one transaction per migration, under the schema's advisory lock,
 * every step recorded in the ledger; and the catalog × ledger join that says where each version stands.
 */
package io.flotilla.execution;
