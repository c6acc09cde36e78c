package io.flotilla.server;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.config.PoolTimerRace;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantDatabase;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.JksOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One pool per tenant server: {@code home} is the service's own (the {@link TenantDatabase} bean); any other is a
 * reactive PostgreSQL pool made the first time it is asked for, sized by the server's connection budget, shared by
 * every caller, replaced when the server's connection definition changes and closed at shutdown.
 */
@ApplicationScoped
public class ServerPools {

    /** A replaced pool is closed this long after, so that work already holding one of its connections can finish. */
    private static final Duration RETIRE_AFTER = Duration.ofMinutes(2);

    private final TenantDatabase home;
    private final ServerRepository servers;
    private final ServerCredentials credentials;
    private final Vertx vertx;
    private final Duration connectTimeout;
    private final Map<String, Entry> pools = new ConcurrentHashMap<>();
    /** Servers last seen offline: from the registry as this replica last read it (every check, and every change here). */
    private final Set<String> offline = ConcurrentHashMap.newKeySet();

    private record Entry(Server.Connection connection, TenantDatabase database) {
    }

    public ServerPools(TenantDatabase home, ServerRepository servers, ServerCredentials credentials, Vertx vertx,
                       FlotillaConfig config) {
        this.home = home;
        this.servers = servers;
        this.credentials = credentials;
        this.vertx = vertx;
        this.connectTimeout = config.pool().connectionTimeout();
    }

    /** The database of this server: fails with server-not-found for a name that is not registered. */
    public Uni<TenantDatabase> database(String server) {
        if (TenantDatabase.HOME.equals(server)) {
            return Uni.createFrom().item(home);
        }
        Entry known = pools.get(server);
        if (known != null) {
            return Uni.createFrom().item(known.database());
        }
        return servers.find(server).map(s -> {
            if (s == null) {
                throw new FlotillaException(ErrorCode.SERVER_NOT_FOUND, "No server named '" + server + "' is registered",
                        Map.of("server", server));
            }
            return database(s);
        });
    }

    /**
     * Every registered server that is not offline (home included), with its pool: the sweeps every replica runs over
     * the fleet's servers. The registry's rows are at hand, so no server is looked up again by name.
     */
    public Multi<TenantDatabase> notOffline() {
        return servers.all()
                .onItem().transformToMulti(all -> Multi.createFrom().iterable(all))
                .select().where(s -> s.state() != ServerState.OFFLINE)
                .map(this::database);
    }

    /**
     * The database to run tenant work on: as {@link #database(String)}, but a server that is offline fails with
     * server-unavailable, so its companies wait (a rollout reports them waiting) instead of being touched.
     */
    public Uni<TenantDatabase> forWork(String server) {
        return database(server).invoke(db -> {
            if (offline.contains(server)) {
                throw new FlotillaException(ErrorCode.SERVER_UNAVAILABLE, "Server '" + server + "' is offline; its"
                        + " companies wait until it is set active or draining again", Map.of("server", server));
            }
        });
    }

    /** The pool for this definition of the server: the existing one if the definition is the same, else a new one. */
    public TenantDatabase database(Server server) {
        if (server.state() == ServerState.OFFLINE) {
            offline.add(server.name());
        } else {
            offline.remove(server.name());
        }
        if (server.home()) {
            return home;
        }
        Server.Connection connection = server.connection();
        // compute() runs one at a time per key: concurrent first callers get the same pool.
        Entry entry = pools.compute(server.name(), (name, old) -> {
            if (old != null && old.connection().equals(connection)) {
                return old;
            }
            if (old != null) {
                Log.infof("Server %s changed definition: its pool is replaced", name);
                retire(old);
            }
            return new Entry(connection, new TenantDatabase(name, create(name, connection)));
        });
        return entry.database();
    }

    /** Brings the pools in line with the registry: definitions changed elsewhere (another replica) replace pools. */
    public void refresh(Collection<Server> registered) {
        Set<String> names = new HashSet<>();
        for (Server s : registered) {
            names.add(s.name());
            if (s.state() == ServerState.OFFLINE) {
                offline.add(s.name());
            } else {
                offline.remove(s.name());
            }
            Entry entry = pools.get(s.name());
            if (entry != null && !entry.connection().equals(s.connection())) {
                database(s);
            }
        }
        pools.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            Entry gone = pools.get(name);
            if (gone != null) {
                retire(gone);
            }
            return true;
        });
    }

    /** How many pools are open (home not counted). */
    public int open() {
        return pools.size();
    }

    /**
     * A connect-options supplier, not fixed options: the password is read (from its variable or file) for every
     * new connection, so a rotated secret is used without restarting anything.
     */
    private Pool create(String name, Server.Connection c) {
        PgConnectOptions base = connectOptions(c, connectTimeout);
        PoolOptions poolOptions = new PoolOptions().setMaxSize(c.connectionBudget()).setName("flotilla-server-" + name)
                .setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setIdleTimeout(10).setIdleTimeoutUnit(TimeUnit.MINUTES);
        io.vertx.core.Vertx core = vertx.getDelegate();
        PoolTimerRace.contain(core); // the same connection-timeout race as home's pool
        io.vertx.sqlclient.Pool pool = PgBuilder.pool()
                .with(poolOptions)
                .connectingTo(() -> credentials.password(core, c)
                        .<SqlConnectOptions>map(password -> withPassword(base, password)))
                .using(core)
                .build();
        Log.debugf("Pool for server %s (%s, at most %d connections) created", name, c.describe(), c.connectionBudget());
        return Pool.newInstance(pool);
    }

    /** A copy of {@code options} with the password, if the server has one. */
    public static PgConnectOptions withPassword(PgConnectOptions options, String password) {
        PgConnectOptions copy = new PgConnectOptions(options);
        return password == null ? copy : copy.setPassword(password);
    }

    /** Options for a connection to this server, without the password. */
    public static PgConnectOptions connectOptions(Server.Connection c, Duration connectTimeout) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(c.host()).setPort(c.port()).setDatabase(c.database()).setUser(c.user())
                .setSslMode(c.tlsMode().reactive())
                .setCachePreparedStatements(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        options.addProperty("application_name", "flotilla");
        if (c.tlsMode().verifies()) {
            // The JVM's CA bundle; verify-full also checks the host name, as libpq does.
            options.setTrustOptions(new JksOptions().setPath(
                    Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toString()).setPassword("changeit"));
            if (c.tlsMode() == TlsMode.VERIFY_FULL) {
                options.setHostnameVerificationAlgorithm("HTTPS");
            }
        } else if (c.tlsMode() != TlsMode.DISABLE) {
            // prefer and require encrypt without checking the certificate, as libpq does.
            options.setTrustAll(true);
        }
        return options;
    }

    private void retire(Entry entry) {
        vertx.setTimer(RETIRE_AFTER.toMillis(), id -> entry.database().pool().close().subscribe().with(
                ok -> { }, e -> Log.debugf("Closing a replaced pool failed: %s", e.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        pools.values().forEach(e -> e.database().pool().close().subscribe().with(ok -> { }, err -> { }));
        pools.clear();
    }
}
