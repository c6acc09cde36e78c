package io.flotilla.server;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnectOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What one connection to a server says about it: which cluster and database it is, its version and extensions. */
public record ServerProbe(Identity identity, String version, List<String> extensions) {

    /**
     * A cluster (pg_control_system's system identifier, null when the role may not read it) and a database in it:
     * two equal identities are the same database however it was reached.
     */
    public record Identity(String systemIdentifier, String database, Integer port) {

        public boolean sameDatabaseAs(Identity other) {
            if (systemIdentifier != null && other.systemIdentifier != null) {
                return systemIdentifier.equals(other.systemIdentifier) && database.equals(other.database);
            }
            // Without the identifier, the same port serving a database of that name is the best evidence there is.
            return database.equals(other.database) && port != null && port.equals(other.port);
        }
    }

    /** Connects once with {@code options} (password included), reads what it needs and closes the connection. */
    public static Uni<ServerProbe> probe(Vertx vertx, PgConnectOptions options, Duration timeout) {
        return PgConnection.connect(vertx, options)
                .ifNoItem().after(timeout).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no connection within " + timeout.toSeconds() + " s"))
                .flatMap(conn -> read(conn).eventually(conn::close));
    }

    private static Uni<ServerProbe> read(SqlConnection conn) {
        return identity(conn).flatMap(identity -> conn.query("SHOW server_version").execute()
                .map(rows -> rows.iterator().next().getString(0))
                .flatMap(version -> conn.query("SELECT name FROM pg_available_extensions ORDER BY name").execute()
                        .map(rows -> {
                            List<String> names = new ArrayList<>();
                            for (Row r : rows) {
                                names.add(r.getString(0));
                            }
                            return new ServerProbe(identity, version, List.copyOf(names));
                        })));
    }

    /** Which database this connection is on. */
    public static Uni<Identity> identity(SqlConnection conn) {
        return conn.query("SELECT current_database(), inet_server_port()").execute()
                .map(rows -> rows.iterator().next())
                .flatMap(row -> conn.query("SELECT system_identifier::text FROM pg_control_system()").execute()
                        .map(rows -> rows.iterator().next().getString(0))
                        // pg_control_system() may be revoked from the role: fall back to the weaker comparison.
                        .onFailure().recoverWithNull()
                        .map(id -> new Identity(id, row.getString(0), row.getInteger(1))));
    }
}
