package io.flotilla.sql;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Connections taken from a pool for several statements. */
public final class Connections {

    private Connections() {
    }

    /**
     * Gives {@code conn} an exception handler. Without one, the Vert.x SQL client prints a held connection's socket
     * failure to stderr as a bare stack trace ({@code SqlConnectionBase.handleException}: "Broken pipe",
     * "terminating connection due to administrator command"), one per connection held when PostgreSQL restarts,
     * although the statement under way fails with it anyway and its caller deals with that. Logged at DEBUG instead.
     */
    public static SqlConnection quiet(SqlConnection conn) {
        return conn.exceptionHandler(e -> Log.debugf("Pooled connection failed (its statement fails with it): %s",
                e.toString()));
    }

    /** {@code pool.getConnection()}, {@link #quiet}. */
    public static Uni<SqlConnection> take(Pool pool) {
        return pool.getConnection().map(Connections::quiet);
    }
}
