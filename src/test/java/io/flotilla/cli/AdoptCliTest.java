package io.flotilla.cli;

import io.flotilla.security.Role;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flotilla adopt} against the service, whose catalog is in Flyway's layout, on a server of its own: a dry run
 * exits 0 and records nothing; the adoption follows the job and exits 0; a schema with a failed Flyway row makes the
 * next one exit 1 naming it; an unknown server, or no --all, exits 2.
 */
@QuarkusTest
@TestProfile(AdoptCliTest.FlywayCatalog.class)
@WithTestResource(PostgresResource.class)
class AdoptCliTest {

    static final Path CATALOG = Path.of("src/test/resources/catalogs/flyway_fleet").toAbsolutePath();
    static final String PASSWORD = "pw-adoptcli-" + UUID.randomUUID();
    static final String NAME = Sql.unique("adoptcli");

    /** The service on a two-version catalog in Flyway's layout. */
    public static class FlywayCatalog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flotilla.catalog.dir", CATALOG.toString());
        }
    }

    static ExtraServers extra;

    @Inject
    DataSource ds;

    @BeforeAll
    static void start() {
        TestTokens.useAdminByDefault();
        extra = ExtraServers.start(PASSWORD);
    }

    @AfterAll
    static void stop() {
        DataSource home = Arc.container().instance(DataSource.class).get();
        Sql.execute(home, "DELETE FROM public.adoptions WHERE server = ?", NAME);
        Sql.execute(home, "DELETE FROM public.adoption_jobs WHERE server = ?", NAME);
        ExtraServers.forget(home, NAME);
        if (extra != null) {
            extra.close();
        }
    }

    @Test
    void adoptFollowsTheJobAndExits0ThenExits1WhenASchemaIsRefused() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1", "port", extra.port(0),
                        "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "connectionBudget", 8,
                        "passwordFrom", Map.of("file", extra.passwordFile(0).toString())))
                .when().post("/api/v1/servers").then().log().ifValidationFails().statusCode(201);
        for (String schema : new String[]{"cli_a", "cli_b", "cli_c"}) {
            flyway(schema);
        }
        Map<String, String> env = Map.of("FLOTILLA_URL", "http://localhost:" + RestAssured.port,
                "FLOTILLA_TOKEN", TestTokens.token(Role.ADMIN));

        FlotillaCliTest.Run dry = FlotillaCliTest.run(env, "adopt", "--server", NAME, "--all", "--dry-run");
        assertEquals(0, dry.code(), dry.out() + dry.err());
        assertTrue(dry.out().contains("dry run, nothing recorded: 3 schemas on " + NAME + ": 3 would be adopted"),
                dry.out());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAME));

        FlotillaCliTest.Run adopted = FlotillaCliTest.run(env, "adopt", "--server", NAME, "--all");
        assertEquals(0, adopted.code(), adopted.out() + adopted.err());
        assertTrue(adopted.out().contains("3 schemas on " + NAME + ": 3 adopted, 0 refused"), adopted.out());
        assertTrue(adopted.err().contains("3/3 decided"), "progress on stderr: " + adopted.err());
        assertEquals(3, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAME));

        flyway("cli_failed");
        try (Connection c = extra.connect(0); Statement s = c.createStatement()) {
            s.execute("UPDATE cli_failed.flyway_schema_history SET success = false WHERE version = '2'");
        }
        FlotillaCliTest.Run refused = FlotillaCliTest.run(env, "adopt", "--server", NAME, "--all");
        assertEquals(1, refused.code(), refused.out() + refused.err());
        assertTrue(refused.out().contains("refused") && refused.out().contains("cli_failed"), refused.out());
        assertTrue(refused.err().contains("1 refused"), refused.err());
        assertEquals(3, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAME));

        FlotillaCliTest.Run unknown = FlotillaCliTest.run(env, "adopt", "--server", "no_such_server", "--all");
        assertEquals(2, unknown.code(), unknown.out() + unknown.err());
        assertTrue(unknown.err().contains("no_such_server"), unknown.err());
        FlotillaCliTest.Run noAll = FlotillaCliTest.run(env, "adopt", "--server", NAME);
        assertEquals(2, noAll.code());
        assertTrue(noAll.err().contains("--all"), noAll.err());
    }

    private static void flyway(String schema) {
        Flyway.configure().dataSource(ExtraServers.url(extra.port(0)), ExtraServers.USER, PASSWORD).schemas(schema)
                .locations("filesystem:" + CATALOG).load().migrate();
    }
}
