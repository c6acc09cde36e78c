package io.flotilla.config;

import io.flotilla.sql.TenantDatabase;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the one {@link TenantDatabase} there is today: the home database, on the service's own pool. */
@ApplicationScoped
public class TenantDatabases {

    @Produces
    @Singleton
    TenantDatabase home(Pool pool) {
        return new TenantDatabase(TenantDatabase.HOME, pool);
    }
}
