package io.flotilla.api;

import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A company as clients see it: every column of its row. Named Company in the contract. */
@Schema(name = "Company")
public record CompanyView(UUID id, String companyName, String schemaName,
                          @Schema(description = "The PostgreSQL server its schema lives on (home: the control plane's own database)")
                          String server, CompanyStatus status,
                          Map<String, Object> settings, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                          @Schema(nullable = true) OffsetDateTime deletedAt,
                          @Schema(nullable = true, description = "Its maintenance window; absent: it may be worked on at any time")
                          WindowView window) {

    public static CompanyView of(Company c) {
        return new CompanyView(c.id(), c.companyName(), c.schemaName(), c.server(), c.status(), c.settings(), c.createdAt(),
                c.updatedAt(), c.deletedAt(), WindowView.of(c.window()));
    }
}
