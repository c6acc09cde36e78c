package io.flotilla.server;

import io.flotilla.catalog.CatalogService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantDatabase;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Registering, listing and changing tenant servers; installing Flotilla's tables on them. */
@ApplicationScoped
public class ServerService {

    static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");
    /** A host name, an IPv4 address or a bracketed IPv6 one: nothing that could change the JDBC URL around it. */
    private static final Pattern HOST = Pattern.compile("^([A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+])$");
    private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_$-]{0,62}$");
    /** Registration gives a server this long to answer. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ServerRepository repository;
    private final ServerPools pools;
    private final ServerCredentials credentials;
    private final CatalogService catalog;
    private final TenantDatabase home;
    private final Vertx vertx;

    public ServerService(ServerRepository repository, ServerPools pools, ServerCredentials credentials,
                         CatalogService catalog, TenantDatabase home, Vertx vertx) {
        this.repository = repository;
        this.pools = pools;
        this.credentials = credentials;
        this.catalog = catalog;
        this.home = home;
        this.vertx = vertx;
    }

    /** A server with its company counts. */
    public record Listed(Server server, ServerCounts counts) {
    }

    public Uni<List<Listed>> list() {
        return repository.counts(catalog.catalog()).flatMap(counts -> repository.all().map(all -> all.stream()
                .map(s -> new Listed(s, counts.getOrDefault(s.name(), ServerCounts.NONE))).toList()));
    }

    public Uni<Listed> get(String name) {
        return find(name).flatMap(s -> repository.counts(catalog.catalog())
                .map(counts -> new Listed(s, counts.getOrDefault(s.name(), ServerCounts.NONE))));
    }

    /**
     * A view's {@code server=} filter: a null item when none is given, the name when it is a registered server, else
     * a 400 naming it (the name only ever travels as a query parameter).
     */
    public Uni<String> filter(String name) {
        if (name == null || name.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return repository.find(name).map(s -> {
            if (s == null) {
                throw new FlotillaException(ErrorCode.SERVER_UNKNOWN, "server must be a registered server; no server"
                        + " is named '" + name + "'", Map.of("server", name));
            }
            return s.name();
        });
    }

    private Uni<Server> find(String name) {
        return repository.find(name).onItem().ifNull().failWith(() -> new FlotillaException(ErrorCode.SERVER_NOT_FOUND,
                "No server named '" + name + "' is registered", Map.of("server", String.valueOf(name))));
    }

    /**
     * Validates, refuses a taken name and the control plane's own database, connects (5 s), installs Flotilla's
     * tables there and records the server. Nothing is recorded unless every step succeeded.
     */
    public Uni<Server> register(NewServer req) {
        Server candidate = validate(req);
        Server.Connection c = candidate.connection();
        return repository.find(candidate.name())
                .invoke(existing -> {
                    if (existing != null) {
                        throw taken(candidate.name());
                    }
                })
                .flatMap(x -> UniHelper.toUni(credentials.password(vertx.getDelegate(), c)))
                .flatMap(password -> ServerProbe.probe(vertx,
                                ServerPools.withPassword(ServerPools.connectOptions(c, CONNECT_TIMEOUT), password),
                                CONNECT_TIMEOUT)
                        .onFailure(e -> !(e instanceof FlotillaException)).transform(e -> unreachable(c, e))
                        .flatMap(probe -> home.withConnection(ServerProbe::identity).invoke(own -> {
                            if (probe.identity().sameDatabaseAs(own)) {
                                throw new FlotillaException(ErrorCode.SERVER_IS_HOME, c.describe()
                                        + " is the control plane's own database (server 'home'): register another one",
                                        Map.of("field", "database"));
                            }
                        }).replaceWith(probe))
                        .flatMap(probe -> Uni.createFrom().item(() -> ServerTables.install(candidate.name(), c, password))
                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                                .onFailure().transform(e -> unreachable(c, e))
                                .replaceWith(probe)))
                .flatMap(probe -> repository.insert(new Server(candidate.name(), c.host(), c.port(), c.database(),
                        c.user(), c.tlsMode(), c.passwordEnv(), c.passwordFile(), c.connectionBudget(),
                        candidate.schemaCapacity(), ServerState.ACTIVE, probe.version(), probe.extensions(), true, null,
                        null, null, null)))
                .onItem().ifNull().failWith(() -> taken(candidate.name()))
                .invoke(s -> Log.infof("Server %s registered: %s, PostgreSQL %s, at most %d connections", s.name(),
                        c.describe(), s.version(), s.connectionBudget()));
    }

    /** Changes state, budget or capacity; home never goes offline. A new budget replaces the server's pool. */
    public Uni<Server> update(String name, ServerState state, Integer connectionBudget, Integer schemaCapacity) {
        if (state == null && connectionBudget == null && schemaCapacity == null) {
            throw invalid("state", "Nothing to change: give state, connectionBudget and/or schemaCapacity");
        }
        positive("connectionBudget", connectionBudget);
        positive("schemaCapacity", schemaCapacity);
        if (TenantDatabase.HOME.equals(name) && state == ServerState.OFFLINE) {
            throw new FlotillaException(ErrorCode.SERVER_STATE,
                    "The home server is the control plane's own database: it cannot go offline", Map.of("server", name));
        }
        return find(name).flatMap(s -> repository.update(name, state, connectionBudget, schemaCapacity))
                .onItem().ifNull().failWith(() -> new FlotillaException(ErrorCode.SERVER_NOT_FOUND,
                        "No server named '" + name + "' is registered", Map.of("server", name)))
                .invoke(s -> {
                    if (!s.home()) {
                        pools.database(s); // replaces the pool if the budget changed
                    }
                    Log.infof("Server %s: state %s, at most %d connections", s.name(), s.state().value(),
                            s.connectionBudget());
                });
    }

    /**
     * At start, Flotilla's tables on every registered server that is not offline are brought to the latest version,
     * off the event loop and without holding the start up: a server that is down is logged and marked unreachable.
     */
    void installAtStart(@Observes StartupEvent event) {
        repository.all().subscribe().with(all -> all.stream().filter(s -> !s.home() && s.state() != ServerState.OFFLINE)
                        .forEach(s -> Infrastructure.getDefaultWorkerPool().execute(() -> installAtStart(s))),
                e -> Log.warnf("Could not read the registered servers at start: %s", e.getMessage()));
    }

    private void installAtStart(Server s) {
        try {
            ServerTables.install(s.name(), s.connection(), credentials.password(s.connection()));
        } catch (RuntimeException e) {
            String error = message(e);
            Log.warnf("Server %s (%s) could not be prepared at start, marked unreachable: %s", s.name(),
                    s.connection().describe(), error);
            repository.recordCheck(s.name(), false, error).subscribe().with(ok -> { }, err -> { });
        }
    }

    private static Server validate(NewServer r) {
        if (r.name() == null || !NAME.matcher(r.name()).matches()) {
            throw invalid("name", "name must match ^[a-z][a-z0-9_-]{0,62}$ (lower case, starts with a letter)");
        }
        if (TenantDatabase.HOME.equals(r.name())) {
            throw taken(r.name());
        }
        if (r.host() == null || !HOST.matcher(r.host()).matches()) {
            throw invalid("host", "host must be a host name or an IP address");
        }
        int port = r.port() == null ? 5432 : r.port();
        if (port < 1 || port > 65535) {
            throw invalid("port", "port must be between 1 and 65535");
        }
        if (r.database() == null || !IDENTIFIER.matcher(r.database()).matches()) {
            throw invalid("database", "database must be a PostgreSQL database name ([A-Za-z_][A-Za-z0-9_$-]*, at most 63)");
        }
        if (r.user() == null || !IDENTIFIER.matcher(r.user()).matches()) {
            throw invalid("user", "user must be a PostgreSQL role name ([A-Za-z_][A-Za-z0-9_$-]*, at most 63)");
        }
        TlsMode tls = r.tlsMode() == null ? TlsMode.PREFER : TlsMode.from(r.tlsMode());
        ServerCredentials.validate(r.passwordEnv(), r.passwordFile());
        if (r.connectionBudget() == null) {
            throw invalid("connectionBudget", "connectionBudget (the most connections Flotilla opens there) is required");
        }
        positive("connectionBudget", r.connectionBudget());
        positive("schemaCapacity", r.schemaCapacity());
        return new Server(r.name(), r.host(), port, r.database(), r.user(), tls, r.passwordEnv(), r.passwordFile(),
                r.connectionBudget(), r.schemaCapacity(), ServerState.ACTIVE, null, List.of(), null, null, null, null,
                null);
    }

    private static void positive(String field, Integer value) {
        if (value != null && value < 1) {
            throw invalid(field, field + " must be at least 1");
        }
    }

    private static FlotillaException invalid(String field, String detail) {
        return new FlotillaException(ErrorCode.INVALID_SERVER, detail, Map.of("field", field));
    }

    private static FlotillaException taken(String name) {
        return new FlotillaException(ErrorCode.SERVER_NAME_TAKEN, "A server named '" + name + "' is already registered",
                Map.of("field", "name"));
    }

    private static FlotillaException unreachable(Server.Connection c, Throwable e) {
        if (e instanceof FlotillaException f) {
            return f;
        }
        Map<String, Object> ext = e instanceof PgException pg && pg.getSqlState() != null
                ? Map.of("sqlState", pg.getSqlState()) : Map.of();
        return new FlotillaException(ErrorCode.SERVER_UNREACHABLE, "Could not use " + c.describe() + ": " + message(e),
                ext, e);
    }

    /** PostgreSQL's (or the network's) own words; they never carry the password. */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof org.flywaydb.core.api.FlywayException)) {
            t = t.getCause();
        }
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return text.strip();
    }
}
