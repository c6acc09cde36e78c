package io.flotilla.ledger;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.sql.AdvisoryLocks;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure no ledger row stays "running" forever. A step's process holds its schema's advisory lock for as long
 * as it runs, so a running row whose schema lock anyone can take belongs to a process that died: this closes it
 * as failed (interrupted), on whichever replica gets there first. Companies migrated again get the same treatment
 * when their run takes the lock; this catches the ones nobody touches.
 */
@ApplicationScoped
public class StaleStepJanitor {

    private final Pool pool;
    private final AdvisoryLocks locks;
    private final LedgerRepository ledger;
    private final FlotillaConfig config;
    private ScheduledExecutorService timer;

    public StaleStepJanitor(Pool pool, AdvisoryLocks locks, LedgerRepository ledger, FlotillaConfig config) {
        this.pool = pool;
        this.locks = locks;
        this.ledger = ledger;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        long every = config.execution().staleStepSweep().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flotilla-stale-steps"));
        timer.scheduleWithFixedDelay(() -> sweep().subscribe().with(n -> { },
                e -> Log.debugf("Stale step sweep failed: %s", e.getMessage())), every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Closes every running row whose schema no live process holds; emits how many rows it closed. */
    public Uni<Integer> sweep() {
        return ledger.runningSchemas()
                .onItem().transformToMulti(running -> Multi.createFrom().iterable(running))
                .onItem().transformToUniAndConcatenate(running -> closeIfAbandoned(running.companyId(), running.schemaName()))
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    private Uni<Integer> closeIfAbandoned(UUID companyId, String schema) {
        return pool.withConnection(conn -> locks.tryLockSchema(conn, schema)
                .flatMap(won -> {
                    if (!won) {
                        return Uni.createFrom().item(0); // a live process is on it
                    }
                    return ledger.closeInterrupted(conn, companyId)
                            .invoke(n -> Log.infof("Closed %d step(s) of %s left running by a stopped process", n, schema))
                            .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull());
                }));
    }
}
