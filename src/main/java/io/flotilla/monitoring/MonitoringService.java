package io.flotilla.monitoring;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

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
        return tenants(server, companyId).flatMap(t -> repository.tables(t, companyId, page, size));
    }

    public Uni<MonitoringPage<IndexUsage>> indexes(String server, UUID companyId, boolean unusedOnly, int page,
                                                   int size) {
        checkPage(page, size);
        return tenants(server, companyId).flatMap(t -> repository.indexes(t, companyId, unusedOnly, page, size));
    }

    public Uni<ConnectionsView> connections(String server) {
        return pools.database(server == null ? TenantDatabase.HOME : server).flatMap(repository::connections);
    }

    private Uni<MonitoringRepository.Tenants> tenants(String server, UUID companyId) {
        return pools.database(server == null ? TenantDatabase.HOME : server)
                .flatMap(db -> repository.tenantsOn(db, companyId));
    }

    private static void checkPage(int page, int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
        }
    }
}
