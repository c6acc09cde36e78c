package io.flotilla.sql;

import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Produces the home {@link TenantDatabase}: the service's own pool (other servers' come from server.ServerPools).
 * Here rather than in config, which sql reads its settings from: no package imports one that imports it back.
 */
@ApplicationScoped
public class HomeDatabase {

    @Produces
    @Singleton
    TenantDatabase home(Pool pool) {
        return new TenantDatabase(TenantDatabase.HOME, pool);
    }
}
