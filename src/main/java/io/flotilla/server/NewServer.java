package io.flotilla.server;

/**
 * A server to register, as the request gives it: validated by {@link ServerService#register}. Null port and tlsMode
 * take their defaults (5432, prefer); at most one password source.
 */
public record NewServer(String name, String host, Integer port, String database, String user, String tlsMode,
                        String passwordEnv, String passwordFile, Integer connectionBudget, Integer schemaCapacity) {
}
