package io.flotilla.sql;

import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.List;

/** Statements sent on one connection without waiting between them: one round trip for several answers. */
final class Pipeline {

    private Pipeline() {
    }

    /**
     * Sends statements on one connection without waiting between them (the client pipelines them in this order)
     * and waits for every answer; fails with the first failure in that order, else emits the answers in order.
     */
    static Uni<List<Object>> pipelined(Uni<?>... statements) {
        List<Uni<?>> all = new ArrayList<>();
        for (Uni<?> statement : statements) {
            all.add(settled(statement));
        }
        return Uni.combine().all().unis(all).with(Settled.class, answers -> answers).flatMap(answers -> {
            List<Object> items = new ArrayList<>();
            for (Settled<?> answer : answers) {
                if (answer.failure() != null) {
                    return Uni.createFrom().failure(answer.failure());
                }
                items.add(answer.item());
            }
            return Uni.createFrom().item(items);
        });
    }

    /** An item or a failure, as an item: pipelined statements are all waited for before one of them is looked at. */
    record Settled<T>(T item, Throwable failure) {
        Uni<T> unwrap() {
            return failure == null ? Uni.createFrom().item(item) : Uni.createFrom().failure(failure);
        }
    }

    static <T> Uni<Settled<T>> settled(Uni<T> uni) {
        return uni.map(item -> new Settled<>(item, null)).onFailure().recoverWithItem(e -> new Settled<>(null, e));
    }
}
