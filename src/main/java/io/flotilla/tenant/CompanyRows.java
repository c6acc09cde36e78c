package io.flotilla.tenant;

import io.vertx.mutiny.sqlclient.Row;

import java.util.Map;

/** Maps the companies columns of a Vert.x client row, for set-based reads that join companies to other tables. */
public final class CompanyRows {

    /** The columns {@link #from} reads, in table order, for a query's select list. */
    public static final String COLUMNS =
            "id, company_name, schema_name, server, status, settings, created_at, updated_at, deleted_at";

    private CompanyRows() {
    }

    public static Company from(Row row) {
        var settings = row.getJsonObject("settings");
        return new Company(row.getUUID("id"), row.getString("company_name"), row.getString("schema_name"),
                row.getString("server"), CompanyStatus.parse(row.getString("status")),
                settings == null ? Map.of() : settings.getMap(),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"),
                row.getOffsetDateTime("deleted_at"));
    }
}
