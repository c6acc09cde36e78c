package io.flotilla.server;

import io.flotilla.sql.TenantDatabase;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One row of {@code public.tenant_servers}: where a server is and how to reach it, never a password (only where to
 * read one). For {@code home} the connection fields are null: it is the service's own datasource.
 *
 * @param reachable null until the first check
 */
public record Server(String name, String host, Integer port, String database, String user, TlsMode tlsMode,
                     String passwordEnv, String passwordFile, int connectionBudget, Integer schemaCapacity,
                     ServerState state, String version, List<String> extensions, Boolean reachable, String lastError,
                     OffsetDateTime lastCheckedAt, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public boolean home() {
        return TenantDatabase.HOME.equals(name);
    }

    /** What a pool depends on: when this changes, the server's pool is replaced. */
    public Connection connection() {
        return new Connection(host, port, database, user, tlsMode, passwordEnv, passwordFile, connectionBudget);
    }

    /** The fields a connection is made from. */
    public record Connection(String host, Integer port, String database, String user, TlsMode tlsMode,
                             String passwordEnv, String passwordFile, int connectionBudget) {

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + tlsMode.value()
                    + "&ApplicationName=flotilla";
        }

        /** For messages: never a password. */
        public String describe() {
            return user + "@" + host + ":" + port + "/" + database;
        }
    }
}
