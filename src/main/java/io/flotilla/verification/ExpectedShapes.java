package io.flotilla.verification;

import io.flotilla.sql.TenantDatabase;
import io.flotilla.verification.ScratchBuilder.Build;
import io.flotilla.verification.ScratchBuilder.Step;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a set of versions builds, built once per distinct (server, versions, template values) and shared by every
 * schema compared with it: a fleet adoption verifies a thousand schemas that mostly stand at the same versions, and
 * the scratch build is what one verification costs. One instance per job; a build that fails to run (not a migration
 * PostgreSQL refuses, which is a result) is forgotten so that the next schema tries again.
 */
public final class ExpectedShapes {

    private final Map<List<Object>, Uni<Build>> builds = new ConcurrentHashMap<>();
    private final AtomicInteger built = new AtomicInteger();

    Uni<Build> build(ScratchBuilder builder, TenantDatabase database, List<Step> steps) {
        List<Object> key = List.of(database.name(), steps.stream()
                .map(s -> List.of(s.migration().version().toString(), s.values())).toList());
        return builds.computeIfAbsent(key, k -> {
            built.incrementAndGet();
            return builder.build(database, steps, false)
                    .onFailure().invoke(e -> builds.remove(k))
                    .memoize().indefinitely();
        });
    }

    /** How many scratch builds ran (or are running): one per distinct key. */
    public int builds() {
        return built.get();
    }
}
