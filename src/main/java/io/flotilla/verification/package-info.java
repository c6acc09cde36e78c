/**
 * Checking schemas against what migrations build: verification compares a company's schema with what its applied
 * versions build in a scratch schema; the lint builds the whole catalog and checks the tenant-isolation rules table
 * by table, and Flotilla's and Squawk's statement rules statement by statement ({@code SqlStatement} classifies,
 * {@code ScriptRules} and {@code SquawkRules} judge), against the relations the build held before each migration.
 * Both build in scratch schemas ({@code ScratchSchemas}). Results are data; only the REST edge answers with them.
 */
package io.flotilla.verification;
