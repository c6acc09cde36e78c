/**
 * Moves: a company's schema carried to another registered server while it is in use. The structure is built on the
 * target from the catalog (the company's applied versions with its template values) and compared with the source's;
 * the rows follow by logical replication (a publication on the source, a subscription on the target), or, where the
 * source has no logical WAL, by a copy inside the write pause. The cut-over blocks writes on the source, lets the
 * target catch up, sets sequences, compares row counts, flips the company's server at home and renames the source
 * schema out of the way. A move is a job with a row in {@code public.company_moves}; the replication and copy SQL is
 * in {@link io.flotilla.move.ReplicationSql}.
 */
package io.flotilla.move;
