package io.flotilla.verification;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;

/**
 * The lint without the container, for the command line's {@code lint --dir}: the service's own {@link LintService},
 * {@link ScratchBuilder}, {@link ScratchSchemas} and migrator path, wired by hand on one database the caller owns.
 * Every rule the service checks runs here unchanged, because these are the same objects, not a copy.
 */
public final class StandaloneLint {

    private StandaloneLint() {
    }

    /**
     * A lint that builds in {@code database} and asks only it for the catalog's extensions (it is the one server
     * there is). The scratch build needs no ledger, no server registry and no template look-up (the lint renders
     * with each file's defaults), so the migrator gets none: only its {@code applyUnrecorded} is reached.
     */
    public static LintService on(TenantDatabase database, FlotillaConfig config) {
        MeterRegistry metrics = new SimpleMeterRegistry();
        TenantExecutor executor = new TenantExecutor(config, metrics);
        AdvisoryLocks locks = new AdvisoryLocks(metrics);
        SchemaMigrator migrator = new SchemaMigrator(null, null, executor, locks, null, null, config, metrics);
        ScratchBuilder builder = new ScratchBuilder(new ScratchSchemas(database, executor, locks, migrator),
                new SchemaInspector());
        return new LintService(null, builder, () -> Multi.createFrom().item(database), executor.extensionSchema());
    }
}
