package io.flotilla.move;

import io.flotilla.error.FlotillaException;
import io.flotilla.migration.MigrationTenant;
import io.flotilla.tenant.Company;

import java.util.Map;
import java.util.UUID;

/** The company as the migrator sees it while its structure is built on the move's target server. */
record MoveTenant(Company company, String target) implements MigrationTenant {

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
