package io.flotilla.monitoring;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.UUID;

/**
 * The monitoring views the API serves: tenant table and index sizes, index usage, database sessions; each read on
 * one server (home unless asked), where the schemas and sessions are.
 */
@ApplicationScoped
public class MonitoringService {

    /** Largest page: sizes are computed for every matching relation anyway, but the answer stays small. */
    public static final int MAX_PAGE_SIZE = 500;

    private final MonitoringRepository repository;
    private final ServerPools pools;

    public MonitoringService(MonitoringRepository repository, ServerPools pools) {
        this.repository = repository;
        this.pools = pools;
    }

    /** {@code server}: a registered server's name (checked by the caller), null for home. */
    public Uni<MonitoringPage<TableSize>> tables(String server, UUID companyId, int page, int size) {
        checkPage(page, size);
        return tenants(server, companyId).flatMap(t -> reach(t.database(), repository.tables(t, companyId, page, size)));
    }

    public Uni<MonitoringPage<IndexUsage>> indexes(String server, UUID companyId, boolean unusedOnly, int page,
                                                   int size) {
        checkPage(page, size);
        return tenants(server, companyId)
                .flatMap(t -> reach(t.database(), repository.indexes(t, companyId, unusedOnly, page, size)));
    }

    public Uni<ConnectionsView> connections(String server) {
        return pools.database(server == null ? TenantDatabase.HOME : server)
                .flatMap(db -> reach(db, repository.connections(db)));
    }

    private Uni<MonitoringRepository.Tenants> tenants(String server, UUID companyId) {
        return pools.database(server == null ? TenantDatabase.HOME : server)
                .flatMap(db -> repository.tenantsOn(db, companyId));
    }

    /**
     * A server that cannot be reached is a 503 naming it, not a 500: its connection failed, not the query (a
     * PostgreSQL error stays what it is).
     */
    private static <T> Uni<T> reach(TenantDatabase db, Uni<T> query) {
        return query.onFailure(e -> !(e instanceof FlotillaException) && !(e instanceof PgException))
                .transform(e -> new FlotillaException(ErrorCode.SERVER_UNAVAILABLE, "PostgreSQL server '" + db.name()
                        + "' cannot be reached: " + e.getMessage(), Map.of("server", db.name()), e));
    }

    private static void checkPage(int page, int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
        }
    }
}
