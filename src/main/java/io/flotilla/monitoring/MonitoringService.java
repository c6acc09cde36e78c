package io.flotilla.monitoring;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** The monitoring views the API serves: tenant table and index sizes, index usage, database sessions. */
@ApplicationScoped
public class MonitoringService {

    /** Largest page: sizes are computed for every matching relation anyway, but the answer stays small. */
    public static final int MAX_PAGE_SIZE = 500;

    private final MonitoringRepository repository;

    public MonitoringService(MonitoringRepository repository) {
        this.repository = repository;
    }

    public Uni<MonitoringPage<TableSize>> tables(UUID companyId, int page, int size) {
        checkPage(page, size);
        return repository.tables(companyId, page, size);
    }

    public Uni<MonitoringPage<IndexUsage>> indexes(UUID companyId, boolean unusedOnly, int page, int size) {
        checkPage(page, size);
        return repository.indexes(companyId, unusedOnly, page, size);
    }

    public Uni<ConnectionsView> connections() {
        return repository.connections();
    }

    private static void checkPage(int page, int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    "page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
        }
    }
}
