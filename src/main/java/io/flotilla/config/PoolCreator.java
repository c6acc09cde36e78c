package io.flotilla.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the reactive pool with the settings Quarkus has no key for: {@code DB_POOL_CONNECTION_TIMEOUT} bounds both
 * the TCP connect and the wait for a free pooled connection, so a saturated pool fails fast instead of hanging.
 */
@Singleton
public class PoolCreator implements PgPoolCreator {

    private final Duration connectionTimeout;

    public PoolCreator(FlotillaConfig config) {
        this.connectionTimeout = config.pool().connectionTimeout();
    }

    @Override
    public Pool create(Input input) {
        long millis = connectionTimeout.toMillis();
        input.poolOptions().setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, millis))
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, millis));
            // Seen in pg_stat_activity, so operators can tell Flotilla's sessions apart.
            options.addProperty("application_name", "flotilla");
        }
        // With a connection timeout set, the pool throws a harmless uncaught exception per query sent while the
        // database is down; see PoolTimerRace.
        PoolTimerRace.contain(input.vertx());
        return PgBuilder.pool()
                .with(input.poolOptions())
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}
