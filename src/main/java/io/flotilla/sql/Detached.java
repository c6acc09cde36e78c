package io.flotilla.sql;

import io.smallrye.mutiny.Uni;

/** Schema work that must run to its end once started. */
public final class Detached {

    private Detached() {
    }

    /**
     * Runs {@code work} to its end even if the caller cancels (an HTTP client that goes away): a lock is released,
     * a scratch schema dropped, a step recorded, whatever happens to the request.
     */
    public static <T> Uni<T> detached(Uni<T> work) {
        return Uni.createFrom().completionStage(work::subscribeAsCompletionStage);
    }
}
