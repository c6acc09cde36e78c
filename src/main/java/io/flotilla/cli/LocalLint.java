package io.flotilla.cli;

import io.flotilla.catalog.CatalogProblem;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.config.EmbeddedDatabase;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.verification.LintReport;
import io.flotilla.verification.StandaloneLint;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * {@code lint --dir}: the service's lint with no service. The directory is resolved as the service resolves its
 * catalog; a catalog that loads is built in a database of its own, by the service's own {@code LintService} wired
 * outside the container ({@link StandaloneLint}): an embedded PostgreSQL started for this run and deleted after it
 * when no {@code DB_HOST} is set, else a scratch database {@code flotilla_lint_<16 hex>} created on that server and
 * dropped at the end (no other database is touched).
 */
final class LocalLint {

    /** How a run ended, short of a failure to get a database. */
    sealed interface Result permits CatalogFailure, Linted {
    }

    /** What {@code --output json} carries when the catalog does not load: the resolver's problems, as data. */
    record CatalogFailure(String directory, List<CatalogProblem> problems) implements Result {
    }

    /** The report (the JSON data), and where its findings are in the files. */
    record Linted(LintReport report, SourceLines lines) implements Result {
    }

    private LocalLint() {
    }

    /**
     * The catalog's problems ({@link CatalogFailure}), or the report ({@link Linted}); a database that cannot be had
     * is a {@link CliFailure} (exit 2).
     */
    static Result lint(Path dir, Function<String, String> settings, Path dataDir, Output output) {
        FlotillaConfig config = config(settings);
        MigrationResolver.Resolution resolution = MigrationResolver.resolve(dir, config.catalog().placeholders());
        if (!resolution.problems().isEmpty()) {
            return new CatalogFailure(dir.toString(), resolution.problems());
        }
        MigrationCatalog catalog = resolution.catalog().orElseThrow();
        try (Database db = Database.open(settings, dataDir, config, output)) {
            long began = System.nanoTime();
            output.err().println("building " + catalog.migrations().size() + " migrations of " + dir
                    + " in a scratch schema on " + db.describe() + "…");
            LintReport report = StandaloneLint.on(db.database(), config).lint(catalog).await().indefinitely();
            output.err().printf("linted in %d ms%n", Duration.ofNanos(System.nanoTime() - began).toMillis());
            return new Linted(report, new SourceLines(catalog));
        }
    }

    /**
     * Flotilla's typed configuration as the service reads it (application.properties and its variables), from the
     * command line's settings; the instance name is fixed so that nothing asks the network for the host name.
     */
    static FlotillaConfig config(Function<String, String> settings) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // ${VARIABLE:default} expressions
                .withConverter(Duration.class, 200, new DurationConverter()) // 60s, 30000ms, as Quarkus reads them
                .withSources(new Settings(settings))
                .withDefaultValue("flotilla.execution.instance-name", "flotilla-lint")
                .withMapping(FlotillaConfig.class)
                // application.properties also holds other roots under flotilla. (flotilla.webhooks: the service's
                // notify.WebhookConfig), which the lint does not read.
                .withValidateUnknown(false);
        URL properties = LocalLint.class.getClassLoader().getResource("application.properties");
        if (properties != null) {
            try {
                builder.withSources(new PropertiesConfigSource(properties, 250));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return builder.build().getConfigMapping(FlotillaConfig.class);
    }

    /** The command line's settings (system properties, then the environment) as a configuration source. */
    private record Settings(Function<String, String> settings) implements ConfigSource {
        @Override
        public Set<String> getPropertyNames() {
            return Set.of();
        }

        @Override
        public String getValue(String name) {
            return settings.apply(name);
        }

        @Override
        public String getName() {
            return "flotilla command line settings";
        }

        @Override
        public int getOrdinal() {
            return 400;
        }
    }

    /** The database the lint builds in, and everything to undo when it ends (also on Ctrl-C, by a shutdown hook). */
    static final class Database implements AutoCloseable {

        private static final SecureRandom RANDOM = new SecureRandom();

        private final Vertx vertx;
        private final String description;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread hook = new Thread(this::close, "flotilla-lint-cleanup");
        private EmbeddedDatabase embedded;
        private Path embeddedHome;
        private PgConnectOptions admin;
        private String scratchDatabase;
        private Pool pool;

        private Database(Vertx vertx, String description) {
            this.vertx = vertx;
            this.description = description;
        }

        static Database open(Function<String, String> settings, Path dataDir, FlotillaConfig config, Output output) {
            String host = settings.apply("DB_HOST");
            boolean embedded = host == null && !"false".equalsIgnoreCase(settings.apply("FLOTILLA_EMBEDDED_DB"));
            Duration timeout = config.pool().connectionTimeout();
            Database db = new Database(Vertx.vertx(), embedded ? "an embedded PostgreSQL"
                    : (host == null ? "localhost" : host) + ":" + or(settings.apply("DB_PORT"), "5432"));
            Runtime.getRuntime().addShutdownHook(db.hook);
            try {
                PgConnectOptions target;
                if (embedded) {
                    long began = System.nanoTime();
                    db.embeddedHome = Files.createTempDirectory("flotilla-lint-");
                    db.embedded = EmbeddedDatabase.startThrowaway(dataDir, db.embeddedHome.resolve("pgdata"));
                    output.err().printf("embedded PostgreSQL up in %d ms%n",
                            Duration.ofNanos(System.nanoTime() - began).toMillis());
                    target = new PgConnectOptions().setHost("127.0.0.1").setPort(db.embedded.port())
                            .setDatabase("postgres").setUser("postgres");
                } else {
                    db.admin = serverOptions(settings);
                    db.scratchDatabase = "flotilla_lint_" + HexFormat.of().toHexDigits(RANDOM.nextLong());
                    db.adminQuery("CREATE DATABASE " + TenantExecutor.quoteIdent(db.scratchDatabase), timeout);
                    target = new PgConnectOptions(db.admin).setDatabase(db.scratchDatabase);
                }
                target.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                target.addProperty("application_name", "flotilla-lint");
                db.pool = Pool.newInstance(PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
                        .connectingTo(target).using(db.vertx.getDelegate()).build());
                return db;
            } catch (RuntimeException | IOException e) {
                db.close();
                throw new CliFailure(ExitCode.USAGE, "no database to lint in: " + message(e), null, null, null, null);
            }
        }

        /** DB_* as the service reads them; DB_NAME (default postgres) is only where CREATE and DROP DATABASE are sent. */
        private static PgConnectOptions serverOptions(Function<String, String> settings) {
            PgConnectOptions options = new PgConnectOptions()
                    .setHost(or(settings.apply("DB_HOST"), "localhost"))
                    .setPort(Integer.parseInt(or(settings.apply("DB_PORT"), "5432")))
                    .setUser(or(settings.apply("DB_USER"), "postgres"))
                    .setDatabase(or(settings.apply("DB_NAME"), "postgres"));
            String password = settings.apply("DB_PASSWORD");
            if (password != null) {
                options.setPassword(password);
            }
            if ("true".equalsIgnoreCase(settings.apply("DB_SSL"))) {
                options.setSslMode(SslMode.REQUIRE).setTrustAll(true);
            }
            return options;
        }

        private void adminQuery(String sql, Duration timeout) {
            PgConnection.connect(vertx, new PgConnectOptions(admin)
                            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                    .flatMap(conn -> conn.query(sql).execute().eventually(conn::close))
                    .await().atMost(timeout.plusSeconds(60));
        }

        TenantDatabase database() {
            return new TenantDatabase(embedded != null ? "embedded" : description, pool);
        }

        String describe() {
            return scratchDatabase == null ? description : description + " (database " + scratchDatabase + ")";
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (Thread.currentThread() != hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs or ran: nothing to remove
                }
            }
            try {
                if (pool != null) {
                    pool.close().await().atMost(Duration.ofSeconds(10));
                }
                if (scratchDatabase != null) {
                    try {
                        adminQuery("DROP DATABASE IF EXISTS " + TenantExecutor.quoteIdent(scratchDatabase),
                                Duration.ofSeconds(10));
                    } catch (RuntimeException e) {
                        System.err.println("flotilla lint: could not drop the scratch database " + scratchDatabase
                                + ": " + message(e) + "; drop it by hand");
                    }
                }
            } finally {
                if (embedded != null) {
                    embedded.stop();
                }
                if (embeddedHome != null) {
                    EmbeddedDatabase.deleteTree(embeddedHome);
                }
                vertx.close().await().atMost(Duration.ofSeconds(10));
            }
        }
    }

    private static String or(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
