package io.flotilla.server;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.config.Periodic;
import io.flotilla.notify.Events;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;

/**
 * Every {@code flotilla.servers.check-interval}, {@code SELECT 1} on each server that is not offline, through its
 * pool, with a short timeout; the outcome is stored on the server's row. A server that stops answering is logged
 * once (WARN, with the error), and once more (INFO) when it answers again; the replica whose check changed the row
 * reports the change to webhooks.
 *
 * <p>On a timer thread of each replica, as the monitoring gauges and the stale-step sweep are, not as a clustered
 * Quartz job: what is checked is this replica's own pools, and a check is a cheap query.
 */
@ApplicationScoped
public class ServerCheckJob {

    private final ServerRepository repository;
    private final ServerPools pools;
    private final FlotillaConfig config;
    private final Events events;
    private Periodic timer;

    public ServerCheckJob(ServerRepository repository, ServerPools pools, FlotillaConfig config, Events events) {
        this.events = events;
        this.repository = repository;
        this.pools = pools;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.servers().checkInterval();
        timer = Periodic.start("flotilla-server-check", every, every, every.plus(config.servers().checkTimeout()),
                "Server check", this::check);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /** Checks every server that is not offline, all at once (one query each); emits them as checked. */
    public Uni<List<Server>> check() {
        return repository.all()
                .invoke(pools::refresh)
                .onItem().transformToMulti(all -> Multi.createFrom().iterable(all))
                .select().where(s -> s.state() != ServerState.OFFLINE)
                .onItem().transformToUniAndMerge(this::check)
                .collect().asList();
    }

    private Uni<Server> check(Server s) {
        Duration timeout = config.servers().checkTimeout();
        return pools.database(s.name())
                .flatMap(db -> db.pool().query("SELECT 1").execute())
                .ifNoItem().after(timeout).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no answer to SELECT 1 within " + timeout.toMillis() + " ms"))
                .map(rows -> (String) null)
                .onFailure().recoverWithItem(ServerService::message)
                .flatMap(error -> {
                    boolean reachable = error == null;
                    if (!reachable && !Boolean.FALSE.equals(s.reachable())) {
                        Log.warnf("Server %s (%s) is unreachable: %s", s.name(), describe(s), error);
                    } else if (reachable && Boolean.FALSE.equals(s.reachable())) {
                        Log.infof("Server %s (%s) is reachable again", s.name(), describe(s));
                    }
                    return repository.recordCheck(s.name(), reachable, error).invoke(was -> {
                        // Unreachable after anything but unreachable; back only after unreachable (not a first check).
                        if (reachable ? Boolean.FALSE.equals(was) : !Boolean.FALSE.equals(was)) {
                            events.server(s.name(), reachable, error);
                        }
                    }).replaceWith(s);
                });
    }

    private static String describe(Server s) {
        return s.home() ? "the control plane's database" : s.connection().describe();
    }
}
