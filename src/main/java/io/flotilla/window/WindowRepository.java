package io.flotilla.window;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Queries on {@code public.company_windows}: set and remove through Hibernate Reactive in the caller's session and
 * transaction (onboarding writes a window with the company), and {@link #forCompanies} as one plain read for the
 * callers that look at many companies at once (a maintenance run, a page of companies).
 */
@ApplicationScoped
public class WindowRepository implements PanacheRepositoryBase<CompanyWindow, UUID> {

    private final Pool pool;

    public WindowRepository(Pool pool) {
        this.pool = pool;
    }

    /** Sets (or replaces) a company's window, in the caller's session and transaction. */
    public Uni<MaintenanceWindow> set(UUID companyId, MaintenanceWindow window) {
        return findById(companyId).flatMap(found -> {
            if (found == null) {
                return persist(new CompanyWindow(companyId, window)).map(CompanyWindow::window);
            }
            found.set(window);
            return Uni.createFrom().item(found.window());
        });
    }

    /** Removes a company's window, in the caller's session and transaction; nothing when it has none. */
    public Uni<Void> remove(UUID companyId) {
        return delete("companyId", companyId).replaceWithVoid();
    }

    /** A company's window, or a null item when it has none; in the caller's session. */
    public Uni<MaintenanceWindow> of(UUID companyId) {
        return findById(companyId).map(w -> w == null ? null : w.window());
    }

    /** The windows of these companies (those that have one), in one query on the Vert.x client. */
    public Uni<Map<UUID, MaintenanceWindow>> forCompanies(Collection<UUID> companyIds) {
        if (companyIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT company_id, time_zone, ranges FROM public.company_windows"
                        + " WHERE company_id = ANY($1)")
                .execute(Tuple.of(companyIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, MaintenanceWindow> windows = new HashMap<>();
                    rows.forEach(r -> windows.put(r.getUUID(0),
                            WindowRules.stored(r.getString(1), Arrays.asList(r.getArrayOfStrings(2)))));
                    return windows;
                });
    }
}
