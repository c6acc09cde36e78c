/**
 * Adoption: a schema another tool migrated becomes a company without running a migration. The other tool's history
 * table is read ({@link io.flotilla.adoption.HistoryTool}), matched with the catalog ({@link
 * io.flotilla.adoption.AdoptionPlanner}), the schema verified against the versions it claims, and those versions
 * recorded as adopted steps. The other tool's table is only ever read.
 */
package io.flotilla.adoption;
