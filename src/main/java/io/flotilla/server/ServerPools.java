package io.flotilla.server;

import io.flotilla.sql.TenantDatabase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** STUB until the registry lands (branch servers): only home. */
@ApplicationScoped
public class ServerPools {

    private final TenantDatabase home;

    public ServerPools(TenantDatabase home) {
        this.home = home;
    }

    public Uni<TenantDatabase> database(String server) {
        return Uni.createFrom().item(home);
    }
}
