package io.flotilla.api;

import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** Body of {@code PATCH /api/v1/companies/{id}}: what to change; absent fields stay. */
public record CompanyPatch(@Schema(implementation = CompanyStatus.class) String status, Map<String, Object> settings,
                           @Schema(description = "A new maintenance window, replacing the one it has") WindowView window,
                           @Schema(description = "true: remove its maintenance window (then it may be worked on at any"
                                   + " time); not together with window") Boolean removeWindow) {

    public CompanyPatch(String status, Map<String, Object> settings) {
        this(status, settings, null, null);
    }
}
