package io.flotilla.tenant;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A tenant: one row of {@code public.companies}, owning one PostgreSQL schema. */
public record Company(UUID id, String companyName, String schemaName, CompanyStatus status,
                      Map<String, Object> settings, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                      OffsetDateTime deletedAt) {

    /** Only these are migrated: active and not soft-deleted. */
    public boolean migratable() {
        return status == CompanyStatus.ACTIVE && deletedAt == null;
    }

    /** Maps a row holding the companies columns (also when joined to other tables). */
    public static Company fromRow(Row row) {
        return from(row);
    }

    static Company from(Row row) {
        var settings = row.getJsonObject("settings");
        return new Company(row.getUUID("id"), row.getString("company_name"), row.getString("schema_name"),
                CompanyStatus.parse(row.getString("status")),
                settings == null ? Map.of() : settings.getMap(),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"),
                row.getOffsetDateTime("deleted_at"));
    }
}
