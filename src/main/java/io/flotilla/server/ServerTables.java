package io.flotilla.server;

import io.quarkus.logging.Log;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flotilla's own tables on a server other than home ({@code classpath:db/server}: the ledger and its per-version
 * projection), installed and upgraded by Flyway with the same history table name as at home. Blocking (JDBC): call
 * it off the event loop. Idempotent: a second run finds nothing to do.
 */
public final class ServerTables {

    static final String LOCATION = "classpath:db/server";
    static final String HISTORY = "flotilla_schema_history";

    private ServerTables() {
    }

    /** Migrates the server's tables to the latest version; returns how many migrations ran. */
    public static int install(String name, Server.Connection c, String password) {
        MigrateResult result = Flyway.configure(ServerTables.class.getClassLoader())
                .dataSource(c.jdbcUrl() + "&connectTimeout=5", c.user(), password)
                .locations(LOCATION)
                .table(HISTORY)
                .schemas("public")
                .createSchemas(false)
                .connectRetries(0)
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            Log.infof("Server %s: Flotilla's tables installed (%d migration(s), now at version %s)", name,
                    result.migrationsExecuted, result.targetSchemaVersion);
        }
        return result.migrationsExecuted;
    }
}
