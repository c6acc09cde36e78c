package io.flotilla.ledger;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * A company whose applied files changed since, which versions, and the server its schema is on.
 *
 * @param versions the applied versions whose catalog checksum differs from the one recorded, in version order
 */
@Schema(name = "Drifted") // the API's name for it before servers; clients generated from it keep working
public record DriftedCompany(UUID companyId, String companyName, String schemaName, String server,
                             List<String> versions) {
}
