package io.flotilla.migration;

import io.flotilla.error.FlotillaException;

import java.util.Map;
import java.util.UUID;

/**
 * The tenant a migration runs for, as the migrator and the template values see it. {@code tenant.Company}
 * implements it, so that this package needs nothing from {@code tenant} (whose services call the migrator).
 */
public interface MigrationTenant {

    UUID id();

    String companyName();

    String schemaName();

    /** The PostgreSQL server the schema lives on ({@code home}: the control plane's own database). */
    String server();

    /** Template values by placeholder name, already checked to be plain tokens, numbers or booleans. */
    Map<String, Object> settings();

    /** Only these are migrated. */
    boolean migratable();

    /** Why this tenant is not migrated, for callers that found {@link #migratable()} false. */
    FlotillaException notMigratable();

    /** The problem when this tenant's schema is not in the database. */
    FlotillaException schemaMissing();
}
