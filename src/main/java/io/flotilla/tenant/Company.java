package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
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

    /** Why this company is not migrated (409 company-not-active), for callers that found {@link #migratable()} false. */
    public FlotillaException notMigratable() {
        return new FlotillaException(ErrorCode.COMPANY_NOT_ACTIVE, "Company '" + companyName + "' is "
                + (deletedAt != null ? "deleted" : status.value()) + "; only active companies are migrated",
                Map.of("companyId", id));
    }

    /** The problem when this company's schema is not in the database (409 schema-missing). */
    public FlotillaException schemaMissing() {
        return new FlotillaException(ErrorCode.SCHEMA_MISSING, "Schema '" + schemaName + "' of company '" + companyName
                + "' does not exist", Map.of("companyId", id, "schemaName", schemaName));
    }

    /**
     * Settings mark it production ({@code "production": true} or {@code "environment": "production"}): seeding or
     * resetting its schema must be forced. Text forms count too, so a quoted {@code "true"} protects as well.
     */
    public boolean production() {
        Object flag = settings.get("production");
        Object environment = settings.get("environment");
        return flag != null && "true".equalsIgnoreCase(String.valueOf(flag))
                || environment != null && "production".equalsIgnoreCase(String.valueOf(environment));
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
