/**
 * SQL against tenant schemas, below the domain: the database tenant SQL runs against (a value), the executor (search path, pipelined script runs, schema DDL), the
 * advisory locks of both namespaces (schemas, rollouts), the schema names reserved for PostgreSQL and for
 * scratch schemas, connections held for several statements ({@code Connections}), Hibernate Reactive sessions each on a context of its own ({@code Sessions}), and the lexer that splits and inspects SQL scripts ({@code SqlScript}); each attempt of a step runs here under the lock policy of
 * package {@code lock}, which decides whether there is another. Imports nothing from the domain packages.
 */
package io.flotilla.sql;
