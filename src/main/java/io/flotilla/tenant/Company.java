package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.MigrationTenant;
import io.flotilla.window.MaintenanceWindow;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A company: one row of {@code public.companies}, owning one PostgreSQL schema. Flyway owns the table
 * (Hibernate neither creates nor validates it); the accessors keep the record-style names the rest of the service
 * reads. Not an API type: {@code api.CompanyView} is what clients see.
 */
@Entity
@Table(name = "companies", schema = "public")
public class Company implements MigrationTenant {

    @Id
    private UUID id;

    @Column(name = "company_name", nullable = false)
    private String companyName;

    @Column(name = "schema_name", nullable = false, updatable = false)
    private String schemaName;

    @Convert(converter = CompanyStatus.Column.class)
    @Column(nullable = false)
    private CompanyStatus status;

    // Set when onboarded (placement picks it), never changed by an update: moving a schema is not a column edit.
    @Column(nullable = false, updatable = false)
    private String server;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private Map<String, Object> settings;

    // The table's defaults (now()) fill these; Hibernate reads them back after the insert.
    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Generated
    @Column(name = "updated_at", insertable = false, updatable = false)
    private OffsetDateTime updatedAt;

    @Column(name = "deleted_at", insertable = false, updatable = false)
    private OffsetDateTime deletedAt;

    // Not a column: company_windows holds it. Filled in by CompanyService where a company is shown.
    @jakarta.persistence.Transient
    private MaintenanceWindow window;

    protected Company() {
    }

    Company(UUID id, String companyName, String schemaName, String server, CompanyStatus status,
            Map<String, Object> settings, OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime deletedAt) {
        this.id = id;
        this.companyName = companyName;
        this.schemaName = schemaName;
        this.server = server;
        this.status = status;
        this.settings = settings;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.deletedAt = deletedAt;
    }

    /** A company not yet inserted; the id is chosen here, the timestamps by the database. */
    static Company create(String companyName, String schemaName, String server, CompanyStatus status,
                          Map<String, Object> settings) {
        return new Company(UUID.randomUUID(), companyName, schemaName, server, status, settings, null, null, null);
    }

    @Override
    public UUID id() {
        return id;
    }

    @Override
    public String companyName() {
        return companyName;
    }

    @Override
    public String schemaName() {
        return schemaName;
    }

    @Override
    public String server() {
        return server;
    }

    /** Its maintenance window, where the caller read it ({@link CompanyService} does); null: none, or not read. */
    public MaintenanceWindow window() {
        return window;
    }

    Company window(MaintenanceWindow window) {
        this.window = window;
        return this;
    }

    public CompanyStatus status() {
        return status;
    }

    @Override
    public Map<String, Object> settings() {
        return settings == null ? Map.of() : settings;
    }

    // In UTC whichever way the row was read (Hibernate or a joined row), as the API has always written them.
    public OffsetDateTime createdAt() {
        return utc(createdAt);
    }

    public OffsetDateTime updatedAt() {
        return utc(updatedAt);
    }

    public OffsetDateTime deletedAt() {
        return utc(deletedAt);
    }

    /** Only these are migrated: active and not soft-deleted. */
    @Override
    public boolean migratable() {
        return status == CompanyStatus.ACTIVE && deletedAt == null;
    }

    /** Why this company is not migrated (409 company-not-active), for callers that found {@link #migratable()} false. */
    @Override
    public FlotillaException notMigratable() {
        return new FlotillaException(ErrorCode.COMPANY_NOT_ACTIVE, "Company '" + companyName + "' is "
                + (deletedAt != null ? "deleted" : status.value()) + "; only active companies are migrated",
                Map.of("companyId", id));
    }

    /** The problem when this company's schema is not in the database (409 schema-missing). */
    @Override
    public FlotillaException schemaMissing() {
        return new FlotillaException(ErrorCode.SCHEMA_MISSING, "Schema '" + schemaName + "' of company '" + companyName
                + "' does not exist", Map.of("companyId", id, "schemaName", schemaName));
    }

    /**
     * Settings mark it production ({@code "production": true} or {@code "environment": "production"}): seeding or
     * resetting its schema must be forced. Text forms count too, so a quoted {@code "true"} protects as well.
     */
    public boolean production() {
        Object flag = settings().get("production");
        Object environment = settings().get("environment");
        return flag != null && "true".equalsIgnoreCase(String.valueOf(flag))
                || environment != null && "production".equalsIgnoreCase(String.valueOf(environment));
    }

    /**
     * Maps a row holding the companies columns, for the set-based reads on the Vert.x client that join companies to
     * other tables (a rollout's targets). Same as {@link CompanyRows#from}.
     */
    public static Company fromRow(Row row) {
        return CompanyRows.from(row);
    }

    private static OffsetDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
    }

    // Value equality, as when this was a record: callers compare companies read at different times.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Company c && Objects.equals(id, c.id) && Objects.equals(companyName, c.companyName)
                && Objects.equals(schemaName, c.schemaName) && Objects.equals(server, c.server) && status == c.status
                && Objects.equals(settings(), c.settings()) && Objects.equals(createdAt(), c.createdAt())
                && Objects.equals(updatedAt(), c.updatedAt()) && Objects.equals(deletedAt(), c.deletedAt());
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, companyName, schemaName, server, status, settings(), createdAt(), updatedAt(), deletedAt());
    }

    @Override
    public String toString() {
        return "Company[id=" + id + ", companyName=" + companyName + ", schemaName=" + schemaName + ", status="
                + status + ", settings=" + settings() + ", createdAt=" + createdAt() + ", updatedAt=" + updatedAt()
                + ", deletedAt=" + deletedAt() + "]";
    }
}
