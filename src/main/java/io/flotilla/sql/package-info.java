/**
 * SQL against tenant schemas, below the domain: the database tenant SQL runs against (a value), the executor (search path, pipelined script runs, schema DDL), the
 * advisory locks of both namespaces (schemas, rollouts), the schema names reserved for PostgreSQL and for
 * scratch schemas, connections held for several statements ({@code Connections}), Hibernate Reactive sessions each on a context of its own ({@code Sessions}), and the lexer that splits and inspects SQL scripts ({@code SqlScript}); how steps wait for table locks
 * ({@code LockPolicy}: short lock_timeout attempts within a budget; {@code LockTally}: what a step's attempts came to;
 * {@code Blocker}: the session named when one timed out). Imports nothing from the domain packages.
 */
package io.flotilla.sql;
