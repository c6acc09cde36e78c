package io.flotilla.sql;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * A database tenant schemas live in, as a value the code that runs tenant SQL is handed: {@link #HOME} (the control
 * plane's own database) or a registered server, each with its own pool.
 *
 * @param name the server's name, as companies and the ledger name it
 * @param pool its connections
 */
public record TenantDatabase(String name, Pool pool) {

    /** The database the control plane itself runs on. */
    public static final String HOME = "home";

    /** Whether this is the control plane's own database, whose ledger is the home ledger itself (no copy to make). */
    public boolean home() {
        return HOME.equals(name);
    }

    /** Runs {@code work} on one of this database's connections, returned to the pool however it ends. */
    public <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work) {
        return pool.withConnection(conn -> work.apply(Connections.quiet(conn)));
    }

    /** Runs {@code work} in a transaction on one of this database's connections: committed when it succeeds. */
    public <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(conn -> work.apply(Connections.quiet(conn)));
    }
}
