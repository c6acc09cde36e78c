/**
 * Checking schemas against what migrations build: verification compares a company's schema with what its applied
 * versions build in a scratch schema; the lint builds the whole catalog and checks the tenant-isolation rules,
 * table by table and statement by statement. Both build in scratch schemas ({@code ScratchSchemas}). Results are data; only the REST edge answers with them.
 */
package io.flotilla.verification;
