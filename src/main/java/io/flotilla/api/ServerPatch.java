package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What may change on a registered server; at least one field. */
@Schema(name = "ServerPatch")
public record ServerPatch(
        @Schema(type = SchemaType.STRING, enumeration = {"active", "draining", "offline"}, description = "active: takes new companies; draining: keeps its companies, takes no new ones;"
                + " offline: left alone (not checked). home cannot go offline") String state,
        @Schema(description = "Most connections Flotilla opens there; the pool is replaced", minimum = "1")
        Integer connectionBudget,
        @Schema(description = "Most company schemas this server should hold", minimum = "1") Integer schemaCapacity) {
}
