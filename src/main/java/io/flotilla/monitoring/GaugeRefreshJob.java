package io.flotilla.monitoring;

import io.flotilla.catalog.CatalogService;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.config.Periodic;
import io.flotilla.ledger.FleetRepository;
import io.flotilla.ledger.FleetView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Keeps the monitoring gauges fresh every {@code flotilla.monitoring.refresh-interval}, never on a Prometheus scrape:
 * one query for the sizes (from the planner's statistics, see {@link MonitoringRepository#snapshot()}) and sessions
 * of home's database, one for the per-server counts (the fleet view's, by shape), both on home, whatever the number
 * of tenants or servers. Each refresh's own duration is the timer {@code flotilla.monitoring.refresh}
 * ({@code outcome} success or failure), so its cost at fleet size is watched rather than guessed.
 * The gauges are totals, a fixed set of connection states and one series per server and count, so 10,000 tenants
 * still make a handful of series. A failed refresh keeps the last values; before the first one succeeds the
 * fixed gauges read NaN rather than a misleading 0 (and the per-server ones are absent).
 */
@ApplicationScoped
public class GaugeRefreshJob {

    private final MonitoringRepository repository;
    private final FleetRepository fleet;
    private final CatalogService catalog;
    private final FlotillaConfig config;
    private final MultiGauge serverCompanies;
    private final MultiGauge serverPending;
    private final MultiGauge serverFailed;
    private final MultiGauge serverReachable;
    private final Timer refreshed;
    private final Timer failed;
    private volatile MonitoringSnapshot last;
    private Periodic timer;

    public GaugeRefreshJob(MonitoringRepository repository, FleetRepository fleet, CatalogService catalog,
                           FlotillaConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.fleet = fleet;
        this.catalog = catalog;
        this.config = config;
        refreshed = refreshTimer(metrics, "success");
        failed = refreshTimer(metrics, "failure");
        serverCompanies = MultiGauge.builder("flotilla.server.companies")
                .description("Active companies on each server").register(metrics);
        serverPending = MultiGauge.builder("flotilla.server.companies.pending")
                .description("Active companies on each server not at the catalog's latest version").register(metrics);
        serverFailed = MultiGauge.builder("flotilla.server.companies.failed")
                .description("Active companies on each server whose last step failed").register(metrics);
        serverReachable = MultiGauge.builder("flotilla.server.reachable")
                .description("1 when the server answered its last check, 0 when not, NaN before the first")
                .register(metrics);
        gauge("flotilla.tenants.size.bytes", "Total size of all tenant schemas (tables, indexes, TOAST)",
                MonitoringSnapshot::tenantBytes).register(metrics);
        gauge("flotilla.tenants.largest.size.bytes", "Size of the largest tenant schema",
                MonitoringSnapshot::largestTenantBytes).register(metrics);
        gauge("flotilla.tenants.indexes.unused",
                "Tenant indexes never scanned since the statistics reset that enforce no constraint",
                MonitoringSnapshot::unusedIndexes).register(metrics);
        gauge("flotilla.rollouts.scheduled", "Scheduled rollouts waiting for their startAt",
                MonitoringSnapshot::scheduledRollouts).register(metrics);
        gauge("flotilla.rollouts.scheduled.overdue",
                "Scheduled rollouts whose startAt passed over a minute ago and that have not started",
                MonitoringSnapshot::overdueScheduledRollouts).register(metrics);
        for (ConnectionState state : ConnectionState.values()) {
            gauge("flotilla.db.connections", "Client sessions on Flotilla's database by state",
                    s -> s.connections().getOrDefault(state, 0L)).tag("state", state.tag()).register(metrics);
        }
    }

    private static Timer refreshTimer(MeterRegistry metrics, String outcome) {
        return Timer.builder("flotilla.monitoring.refresh")
                .description("Duration of a refresh of the monitoring gauges (its queries on home)")
                .tag("outcome", outcome).register(metrics);
    }

    private Gauge.Builder<GaugeRefreshJob> gauge(String name, String description,
                                                 ToDoubleFunction<MonitoringSnapshot> value) {
        return Gauge.builder(name, this, job -> job.last == null ? Double.NaN : value.applyAsDouble(job.last))
                .description(description).strongReference(true);
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.monitoring().refreshInterval();
        // A failed refresh keeps the last values.
        timer = Periodic.start("flotilla-monitoring", Duration.ZERO, every, every, "Monitoring gauge refresh",
                this::refresh);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /** Reads the gauges' values now; on failure the previous ones stay. */
    public Uni<MonitoringSnapshot> refresh() {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            // A refresh cut short by the timer's deadline (cancelled) counts as failed too.
            return read().onItemOrFailure().invoke((item, failure) ->
                            (failure == null ? refreshed : failed).record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                    .onCancellation().invoke(() -> failed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        });
    }

    private Uni<MonitoringSnapshot> read() {
        return Uni.combine().all().unis(repository.snapshot(), fleet.fleet(catalog.catalog())).asTuple()
                .invoke(both -> {
                    last = both.getItem1();
                    List<FleetView.ServerSummary> servers = both.getItem2().servers();
                    // overwrite: a server removed since the last refresh loses its series.
                    serverCompanies.register(rows(servers, FleetView.ServerSummary::companies), true);
                    serverPending.register(rows(servers, FleetView.ServerSummary::pending), true);
                    serverFailed.register(rows(servers, FleetView.ServerSummary::failed), true);
                    serverReachable.register(rows(servers, s -> s.reachable() == null ? Double.NaN
                            : s.reachable() ? 1 : 0), true);
                })
                .map(both -> both.getItem1());
    }

    private static List<MultiGauge.Row<?>> rows(List<FleetView.ServerSummary> servers,
                                                ToDoubleFunction<FleetView.ServerSummary> value) {
        return servers.stream().<MultiGauge.Row<?>>map(s -> MultiGauge.Row.of(Tags.of("server", s.server()),
                value.applyAsDouble(s))).toList();
    }
}
