package io.flotilla.server;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.config.Periodic;
import io.flotilla.ledger.LedgerCopy;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantDatabase;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Makes sure no ledger row stays "running" forever, on any server. A step's process holds its schema's advisory lock
 * (on the server that holds the schema) for as long as it runs, so a running row whose schema lock anyone can take
 * there belongs to a process that died: this closes it as failed (interrupted) in that server's own ledger, on
 * whichever replica gets there first, and then brings the home copy level with it. Companies migrated again get the
 * same treatment when their run takes the lock; this catches the ones nobody touches. Here rather than in
 * {@code ledger} because it needs the server registry and pools, as {@link LedgerReconciliation} does.
 */
@ApplicationScoped
public class StaleStepJanitor {

    private final ServerPools pools;
    private final AdvisoryLocks locks;
    private final LedgerRepository ledger;
    private final LedgerCopy copy;
    private final FlotillaConfig config;
    private Periodic timer;

    public StaleStepJanitor(ServerPools pools, AdvisoryLocks locks, LedgerRepository ledger,
                            LedgerCopy copy, FlotillaConfig config) {
        this.pools = pools;
        this.locks = locks;
        this.ledger = ledger;
        this.copy = copy;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.execution().staleStepSweep();
        timer = Periodic.start("flotilla-stale-steps", every, every, every.multipliedBy(10), "Stale step sweep", this::sweep);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /**
     * Closes every running row whose schema no live process holds, on every server that is not offline (one that
     * cannot be reached now is left for the next sweep); emits how many rows it closed.
     */
    public Uni<Integer> sweep() {
        return pools.notOffline()
                .onItem().transformToUniAndConcatenate(db -> sweep(db)
                        .onFailure().recoverWithItem(e -> {
                            Log.debugf("Stale steps of server %s not swept now: %s", db.name(), e.getMessage());
                            return 0;
                        }))
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    /** One server's ledger; when it closed something on a server other than home, the home copy follows. */
    public Uni<Integer> sweep(TenantDatabase server) {
        return ledger.runningSchemas(server.pool(), server.home())
                .onItem().transformToMulti(running -> Multi.createFrom().iterable(running))
                .onItem().transformToUniAndConcatenate(running ->
                        closeIfAbandoned(server, running.companyId(), running.schemaName()))
                .collect().with(Collectors.summingInt(Integer::intValue))
                .flatMap(closed -> closed == 0 || server.home() ? Uni.createFrom().item(closed)
                        : copy.reconcile(server).replaceWith(closed));
    }

    private Uni<Integer> closeIfAbandoned(TenantDatabase server, UUID companyId, String schema) {
        return server.withConnection(conn -> locks.tryLockSchema(conn, schema)
                .flatMap(won -> {
                    if (!won) {
                        return Uni.createFrom().item(0); // a live process is on it
                    }
                    return ledger.closeInterrupted(conn, companyId)
                            .invoke(n -> Log.infof("Closed %d step(s) of %s on server %s left running by a stopped process",
                                    n, schema, server.name()))
                            .eventually(() -> locks.unlockSchema(conn, schema).onFailure().recoverWithNull());
                }));
    }
}
