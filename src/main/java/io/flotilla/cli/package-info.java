/**
 * The {@code flotilla} command line: verbs for terminals and pipelines ({@code create}, {@code status},
 * {@code migrate}, {@code follow}, {@code rollback}, {@code lint}, {@code verify}, {@code seed}, {@code reset},
 * {@code token}) parsed with picocli, in the same jar and behind the same main as the service
 * ({@link io.flotilla.cli.FlotillaMain} hands every argument list but none and {@code serve} to
 * {@link io.flotilla.cli.FlotillaCli}). Verbs talk to a running service over HTTP through the client generated from
 * openapi.yaml ({@code io.flotilla.client}), never to the database; {@code create} and {@code token} work without a
 * service, and {@code lint --dir} lints a directory in a database of its own ({@link io.flotilla.cli.LocalLint}: the
 * service's lint classes wired outside the container, on an embedded or scratch database). What belongs here: one class per verb (or per family, like the rollout verbs), the exit codes
 * ({@link io.flotilla.cli.ExitCode}), the output envelope ({@link io.flotilla.cli.Output}), the one mapping of HTTP
 * failures to exit codes ({@link io.flotilla.cli.Failures}), and the connection with its token
 * ({@link io.flotilla.cli.ServiceConnection}). Nothing here runs inside the service.
 */
package io.flotilla.cli;
