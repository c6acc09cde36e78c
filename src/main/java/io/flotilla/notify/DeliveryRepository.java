package io.flotilla.notify;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Queries on {@code public.webhook_deliveries}, in the caller's session and transaction. */
@ApplicationScoped
public class DeliveryRepository implements PanacheRepositoryBase<WebhookDelivery, UUID> {

    /**
     * Up to {@code limit} pending deliveries due by {@code now}, oldest first, locked for the caller's transaction;
     * rows another replica holds are skipped, not waited for. Native SQL: HQL has no SKIP LOCKED.
     */
    Uni<List<WebhookDelivery>> due(OffsetDateTime now, int limit) {
        return getSession().flatMap(session -> session.createNativeQuery("SELECT * FROM public.webhook_deliveries"
                        + " WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at LIMIT :limit"
                        + " FOR UPDATE SKIP LOCKED", WebhookDelivery.class)
                .setParameter("now", now).setParameter("limit", limit).getResultList());
    }

    /** A subscription's latest deliveries, newest first. */
    Uni<List<WebhookDelivery>> of(UUID subscriptionId, int limit) {
        return find("subscriptionId", Sort.descending("createdAt").and("id"), subscriptionId).page(0, limit).list();
    }
}
