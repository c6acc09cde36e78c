package io.flotilla.move;

import io.flotilla.error.FlotillaException;
import io.flotilla.migration.MigrationTenant;
import io.flotilla.tenant.Company;

import java.util.Map;
import java.util.UUID;

/**
 * The company as the migrator sees it on another server than its row said when it was read: the move's target while
 * the structure is built there, or its new server for a rollout that read it before a move.
 */
public record MoveTenant(Company company, String target) implements MigrationTenant {

    @Override
    public UUID id() {
        return company.id();
    }

    @Override
    public String companyName() {
        return company.companyName();
    }

    @Override
    public String schemaName() {
        return company.schemaName();
    }

    @Override
    public String server() {
        return target;
    }

    @Override
    public Map<String, Object> settings() {
        return company.settings();
    }

    @Override
    public boolean migratable() {
        return company.migratable();
    }

    @Override
    public FlotillaException notMigratable() {
        return company.notMigratable();
    }

    @Override
    public FlotillaException schemaMissing() {
        return company.schemaMissing();
    }
}
