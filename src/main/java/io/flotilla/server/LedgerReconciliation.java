package io.flotilla.server;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.config.Periodic;
import io.flotilla.ledger.ChecksumAdoption;
import io.flotilla.ledger.LedgerCopy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings the home ledger level with every server's own ledger: at start-up (a process killed between a server's
 * commit and the copy that follows it left steps behind) and every {@code flotilla.servers.reconcile-interval} (a
 * copy that failed while the home database was away). Each copy is idempotent, so replicas doing it at once, or a
 * step's own copy racing it, change nothing. Before a server's first copy in this process, its state is brought to the
 * catalog's files where only their layout changed ({@link ChecksumAdoption}), as home's was at start-up: else the copy
 * would carry the old checksums home again.
 */
@ApplicationScoped
public class LedgerReconciliation {

    private final ServerPools pools;
    private final LedgerCopy copy;
    private final FlotillaConfig config;
    private final ChecksumAdoption adoption;
    /** Servers whose state this process has brought to the catalog (once each: the catalog is fixed at start-up). */
    private final Set<String> adopted = ConcurrentHashMap.newKeySet();
    /** Passes finished, and steps they had to copy: steps copied here were left behind by a crash or a failed copy. */
    private final Counter passes;
    private final Counter stepsCopied;
    private Periodic timer;

    public LedgerReconciliation(ServerPools pools, LedgerCopy copy, FlotillaConfig config,
                                ChecksumAdoption adoption, MeterRegistry metrics) {
        this.adoption = adoption;
        this.pools = pools;
        this.copy = copy;
        this.config = config;
        this.passes = Counter.builder("flotilla.ledger.reconcile.passes")
                .description("Ledger reconciliation passes finished (every server not offline compared with home)")
                .register(metrics);
        this.stepsCopied = Counter.builder("flotilla.ledger.reconcile.steps")
                .description("Steps a reconciliation pass found missing from the home ledger and copied there")
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.servers().reconcileInterval();
        timer = Periodic.start("flotilla-ledger-reconcile", Duration.ZERO, every, every.multipliedBy(10),
                "Ledger reconciliation", this::reconcile);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /**
     * One pass over every server that is not home and not offline; a server that cannot be reached is left for the
     * next pass. Emits the steps copied per server (servers with nothing to copy are left out).
     */
    public Uni<Map<String, Long>> reconcile() {
        return pools.notOffline()
                .select().where(db -> !db.home())
                .onItem().transformToUniAndMerge(db -> (adopted.contains(db.name()) ? Uni.createFrom().voidItem()
                                : adoption.adopt(db.pool(), db.name()).invoke(a -> adopted.add(db.name())).replaceWithVoid())
                        .flatMap(x -> copy.reconcile(db))
                        .map(copied -> Map.entry(db.name(), copied.steps()))
                        .onFailure().recoverWithItem(e -> {
                            Log.debugf("Ledger of server %s not reconciled now: %s", db.name(), e.getMessage());
                            return Map.entry(db.name(), 0L);
                        }))
                .collect().asList()
                .map(entries -> {
                    Map<String, Long> copied = new TreeMap<>();
                    entries.stream().filter(e -> e.getValue() > 0).forEach(e -> copied.put(e.getKey(), e.getValue()));
                    if (!copied.isEmpty()) {
                        Log.infof("Ledger reconciliation copied steps the home ledger lacked: %s", copied);
                    }
                    stepsCopied.increment(copied.values().stream().mapToLong(Long::longValue).sum());
                    passes.increment();
                    return copied;
                });
    }
}
