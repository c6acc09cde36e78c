package io.flotilla.sql;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * The database tenant schemas live in, as a value the code that runs tenant SQL is handed: today one, {@link #HOME}
 * (the control plane's own database); pools per server can come without changing who asks for a connection.
 *
 * @param name which database this is, for logs and, later, for choosing among several
 * @param pool its connections
 */
public record TenantDatabase(String name, Pool pool) {

    /** The database the control plane itself runs on. */
    public static final String HOME = "home";

    /** Runs {@code work} on one of this database's connections, returned to the pool however it ends. */
    public <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work) {
        return pool.withConnection(work);
    }

    /** Runs {@code work} in a transaction on one of this database's connections: committed when it succeeds. */
    public <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }
}
