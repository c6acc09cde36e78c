package io.flotilla.notify;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Queries on {@code public.webhook_subscriptions}, in the caller's session ({@link WebhookService} opens it). */
@ApplicationScoped
public class WebhookRepository implements PanacheRepositoryBase<WebhookSubscription, UUID> {

    Uni<List<WebhookSubscription>> all() {
        return listAll(Sort.by("createdAt").and("id"));
    }

    Uni<List<WebhookSubscription>> byIds(Collection<UUID> ids) {
        return ids.isEmpty() ? Uni.createFrom().item(List.of()) : list("id in ?1", ids);
    }
}
