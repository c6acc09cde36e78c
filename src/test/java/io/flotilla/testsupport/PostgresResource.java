package io.flotilla.testsupport;

import io.flotilla.config.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Picks the real PostgreSQL the tests run against: the server named by DB_* when set (what .ci/run does), else a
 * Testcontainers PostgreSQL when a Docker engine answers, else an embedded PostgreSQL from Maven Central, so that
 * {@code mvn test} passes on a machine with nothing installed.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private PostgreSQLContainer container;
    private EmbeddedDatabase embedded;

    @Override
    public Map<String, String> start() {
        TestTokens.useAdminByDefault();
        String host = System.getenv("DB_HOST");
        if (host != null && !host.isBlank()) {
            return Map.of(); // application.properties reads DB_* from the environment as it is
        }
        if (dockerAvailable()) {
            container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
            return Map.of("DB_HOST", container.getHost(),
                    "DB_PORT", String.valueOf(container.getMappedPort(5432)),
                    "DB_NAME", container.getDatabaseName(),
                    "DB_USER", container.getUsername(),
                    "DB_PASSWORD", container.getPassword());
        }
        try {
            Path home = Files.createTempDirectory("flotilla-test-pg");
            embedded = EmbeddedDatabase.start(home, 0, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for the embedded PostgreSQL", e);
        }
        return Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(embedded.port()),
                "DB_NAME", "postgres", "DB_USER", "postgres", "DB_PASSWORD", "");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    @Override
    public void stop() {
        if (container != null) {
            container.stop();
        }
        if (embedded != null) {
            embedded.stop();
        }
    }
}
