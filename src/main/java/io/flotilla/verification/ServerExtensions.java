package io.flotilla.verification;

import java.util.List;

/**
 * The lint's extension preflight on one server: which of the extensions the catalog requires
 * ({@code -- flotilla:requires-extension}) it does not offer.
 *
 * @param server  the server's name ({@code home} for the control plane's own database)
 * @param missing required extensions absent from its {@code pg_available_extensions}; empty when it has them all
 * @param error   why the server could not be asked (unreachable), or null; then {@code missing} is empty and unknown
 */
public record ServerExtensions(String server, List<String> missing, String error) {
}
