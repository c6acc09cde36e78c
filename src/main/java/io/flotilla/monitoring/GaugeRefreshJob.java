package io.flotilla.monitoring;

import io.flotilla.config.FlotillaConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Keeps the monitoring gauges fresh: one query every {@code flotilla.monitoring.refresh-interval}, never one per
 * Prometheus scrape (sizing every tenant relation is too dear for that). The gauges are fleet-wide totals and a
 * fixed set of connection states, so 10,000 tenants still make a handful of series. A failed refresh keeps the
 * last values; before the first one succeeds the gauges read NaN rather than a misleading 0.
 */
@ApplicationScoped
public class GaugeRefreshJob {

    private final MonitoringRepository repository;
    private final FlotillaConfig config;
    private volatile MonitoringSnapshot last;
    private ScheduledExecutorService timer;

    public GaugeRefreshJob(MonitoringRepository repository, FlotillaConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.config = config;
        gauge("flotilla.tenants.size.bytes", "Total size of all tenant schemas (tables, indexes, TOAST)",
                MonitoringSnapshot::tenantBytes).register(metrics);
        gauge("flotilla.tenants.largest.size.bytes", "Size of the largest tenant schema",
                MonitoringSnapshot::largestTenantBytes).register(metrics);
        gauge("flotilla.tenants.indexes.unused",
                "Tenant indexes never scanned since the statistics reset that enforce no constraint",
                MonitoringSnapshot::unusedIndexes).register(metrics);
        for (ConnectionState state : ConnectionState.values()) {
            gauge("flotilla.db.connections", "Client sessions on Flotilla's database by state",
                    s -> s.connections().getOrDefault(state, 0L)).tag("state", state.tag()).register(metrics);
        }
    }

    private Gauge.Builder<GaugeRefreshJob> gauge(String name, String description,
                                                 ToDoubleFunction<MonitoringSnapshot> value) {
        return Gauge.builder(name, this, job -> job.last == null ? Double.NaN : value.applyAsDouble(job.last))
                .description(description).strongReference(true);
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.monitoring().refreshInterval();
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flotilla-monitoring"));
        // Waiting on this thread of our own keeps refreshes from overlapping when one is slower than the interval.
        timer.scheduleWithFixedDelay(() -> {
            try {
                refresh().await().atMost(every);
            } catch (RuntimeException e) {
                Log.debugf("Monitoring gauge refresh failed, keeping the last values: %s", e.getMessage());
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Reads the gauges' values now; on failure the previous ones stay. */
    public Uni<MonitoringSnapshot> refresh() {
        return repository.snapshot().invoke(snapshot -> last = snapshot);
    }
}
