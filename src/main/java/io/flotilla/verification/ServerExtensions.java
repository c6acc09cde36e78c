package io.flotilla.verification;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * The lint's extension preflight on one server: which of the extensions the catalog requires
 * ({@code -- flotilla:requires-extension}) it does not offer, and which of those its migrations create without a
 * {@code SCHEMA} clause are installed outside the shared extension schema.
 *
 * @param server    the server's name ({@code home} for the control plane's own database)
 * @param missing   required extensions absent from its {@code pg_available_extensions}; empty when it has them all
 * @param misplaced extension → the schema it lives in, for extensions the catalog creates that live neither in the
 *                  shared extension schema ({@code flotilla.catalog.extension-schema}) nor in {@code pg_catalog}:
 *                  typically one a migration put into the first company's schema before Flotilla placed extensions,
 *                  which other companies cannot see. A warning: it does not make the report fail, and Flotilla does
 *                  not move it (see docs/migration-files.md)
 * @param error     why the server could not be asked (unreachable), or null; then the lists are empty and unknown
 */
public record ServerExtensions(String server, List<String> missing, Map<String, String> misplaced,
                               @Schema(nullable = true) String error) {
}
