package io.flotilla.api;

import io.flotilla.move.MoveService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.UUID;

/** Where an application finds a company's schema. Never a password. */
@Schema(name = "CompanyLocation")
public record LocationView(UUID companyId, String server,
                           @Schema(nullable = true, description = "Absent for home: the control plane's own database, reached through the service's datasource")
                           String host,
                           @Schema(nullable = true) Integer port,
                           @Schema(nullable = true) String database,
                           String schema,
                           @Schema(nullable = true, description = "The move under way, if the company is moving")
                           MoveView moving) {

    public static LocationView of(MoveService.Location l) {
        return new LocationView(l.companyId(), l.server(), l.host(), l.port(), l.database(), l.schema(),
                l.moving() == null ? null : MoveView.of(l.moving()));
    }
}
