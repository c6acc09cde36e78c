package io.flotilla.sql;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Supplier;

/**
 * Hibernate Reactive sessions for the companies table, each on a Vert.x context of its own.
 * <p>
 * A Panache session lives in the current Vert.x context and is joined by any later {@code withSession} there. The
 * callers of this package are REST requests, Quartz threads and fan-outs that read several companies at once on one
 * context; joining would share one session between concurrent reads, which Hibernate Reactive forbids. So every
 * scope here gets a new duplicated context (marked safe, as Quarkus does for {@code @WithSession}) and its own
 * session, opened and closed around the work; the result arrives on that context's event loop.
 */
@ApplicationScoped
public class Sessions {

    private final Vertx vertx;

    public Sessions(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code work} in a session of its own (reads, and single statements that commit on their own). */
    public <T> Uni<T> withSession(Supplier<Uni<T>> work) {
        return isolated(() -> Panache.withSession(work));
    }

    /** Runs {@code work} in a session and transaction of its own: all of it commits, or none. */
    public <T> Uni<T> withTransaction(Supplier<Uni<T>> work) {
        return isolated(() -> Panache.withTransaction(work));
    }

    private <T> Uni<T> isolated(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            return Uni.createFrom().<T>emitter(emitter -> context.runOnContext(x -> work.get().subscribe()
                    .with(emitter::complete, emitter::fail)));
        });
    }
}
