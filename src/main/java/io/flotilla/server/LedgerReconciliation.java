package io.flotilla.server;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.ledger.LedgerCopy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Brings the home ledger level with every server's own ledger: at start-up (a process killed between a server's
 * commit and the copy that follows it left steps behind) and every {@code flotilla.servers.reconcile-interval} (a
 * copy that failed while the home database was away). Each copy is idempotent, so replicas doing it at once, or a
 * step's own copy racing it, change nothing.
 */
@ApplicationScoped
public class LedgerReconciliation {

    private final ServerRepository servers;
    private final ServerPools pools;
    private final LedgerCopy copy;
    private final FlotillaConfig config;
    /** Passes finished, and steps they had to copy: steps copied here were left behind by a crash or a failed copy. */
    private final Counter passes;
    private final Counter stepsCopied;
    private ScheduledExecutorService timer;

    public LedgerReconciliation(ServerRepository servers, ServerPools pools, LedgerCopy copy, FlotillaConfig config,
                                MeterRegistry metrics) {
        this.servers = servers;
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
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flotilla-ledger-reconcile"));
        // On our own thread, waiting for each pass: passes never overlap, however slow a server is.
        timer.scheduleWithFixedDelay(() -> {
            try {
                reconcile().await().atMost(every.multipliedBy(10));
            } catch (RuntimeException e) {
                Log.debugf("Ledger reconciliation failed: %s", e.getMessage());
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * One pass over every server that is not home and not offline; a server that cannot be reached is left for the
     * next pass. Emits the steps copied per server (servers with nothing to copy are left out).
     */
    public Uni<Map<String, Long>> reconcile() {
        return servers.all()
                .onItem().transformToMulti(all -> Multi.createFrom().iterable(all))
                .select().where(s -> !s.home() && s.state() != ServerState.OFFLINE)
                .onItem().transformToUniAndMerge(s -> pools.database(s.name())
                        .flatMap(copy::reconcile)
                        .map(copied -> Map.entry(s.name(), copied.steps()))
                        .onFailure().recoverWithItem(e -> {
                            Log.debugf("Ledger of server %s not reconciled now: %s", s.name(), e.getMessage());
                            return Map.entry(s.name(), 0L);
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
