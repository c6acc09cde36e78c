package io.flotilla.server;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.LogCapture;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One pool per registered server, Flotilla's tables on it, and the check that follows a server going down and up. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ServerPoolsTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String PASSWORD = "pools-secret-" + UUID.randomUUID();
    static ExtraServers extra;
    static Path passwordFile;
    static final String NAME = Sql.unique("srv_pool");

    @Inject
    ServerPools pools;

    @Inject
    ServerCheckJob checks;

    @Inject
    ServerRepository repository;

    @Inject
    TenantDatabase home;

    @Inject
    ServerService service;

    @Inject
    DataSource ds;

    @BeforeAll
    static void start() throws IOException {
        extra = ExtraServers.start(PASSWORD);
        passwordFile = Files.createTempFile("flotilla-pool-password", ".txt");
        Files.writeString(passwordFile, PASSWORD);
    }

    @AfterAll
    static void stop() throws IOException {
        Sql.execute(Arc.container().instance(DataSource.class).get(),
                "DELETE FROM public.tenant_servers WHERE name = ?", NAME);
        if (extra != null) {
            extra.close();
        }
        Files.deleteIfExists(passwordFile);
    }

    /** Registered once, by whichever test runs first. */
    private void registered() {
        if (Sql.count(ds, "SELECT count(*) FROM public.tenant_servers WHERE name = ?", NAME) == 0) {
            given().contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1", "port", extra.port(0),
                            "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "tlsMode", "disable",
                            "passwordFrom", Map.of("file", passwordFile.toString()), "connectionBudget", 4))
                    .when().post("/api/v1/servers").then().statusCode(201);
        }
    }

    @Test
    void onePoolPerServerSharedByConcurrentCallers() {
        registered();
        List<TenantDatabase> got = Uni.join().all(List.of(pools.database(NAME), pools.database(NAME),
                        pools.database(NAME), pools.database(NAME), pools.database(NAME), pools.database(NAME)))
                .andFailFast().await().atMost(WAIT);
        TenantDatabase first = got.get(0);
        got.forEach(db -> assertSame(first.pool(), db.pool()));
        assertEquals(NAME, first.name());
        assertSame(first.pool(), pools.database(NAME).await().atMost(WAIT).pool(), "reused later too");
        // It is really that server, logged in with the password from the file.
        String port = first.withConnection(c -> c.query("SHOW port").execute()
                .map(rows -> rows.iterator().next().getString(0))).await().atMost(WAIT);
        assertEquals(String.valueOf(extra.port(0)), port);

        assertSame(home, pools.database(TenantDatabase.HOME).await().atMost(WAIT));

        // A new budget is a new pool; asking again gives the new one.
        given().contentType(ContentType.JSON).body(Map.of("connectionBudget", 2))
                .when().patch("/api/v1/servers/" + NAME).then().statusCode(200);
        TenantDatabase replaced = pools.database(NAME).await().atMost(WAIT);
        assertNotSame(first.pool(), replaced.pool());
        assertSame(replaced.pool(), pools.database(NAME).await().atMost(WAIT).pool());
        assertEquals(1, replaced.withConnection(c -> c.query("SELECT 1").execute().map(r -> r.size()))
                .await().atMost(WAIT));
    }

    @Test
    void anUnknownServerIsAnError() {
        FlotillaException e = assertThrows(FlotillaException.class,
                () -> pools.database(Sql.unique("srv_nowhere")).await().atMost(WAIT));
        assertEquals(ErrorCode.SERVER_NOT_FOUND, e.code());
    }

    @Test
    void flotillasTablesAreOnTheServerAsAtHome() {
        registered();
        for (String table : List.of("migration_ledger", "migration_state")) {
            // Home's tables also hold copies of other servers' steps: the columns saying whose are home's alone.
            String columns = "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' '"
                    + " || coalesce(column_default, '') FROM information_schema.columns"
                    + " WHERE table_schema = 'public' AND table_name = ?"
                    + " AND column_name NOT IN ('server', 'server_step_id', 'server_ledger_id') ORDER BY ordinal_position";
            List<String> there = extra.column(0, columns, table);
            assertFalse(there.isEmpty(), table + " missing on the server");
            assertEquals(Sql.column(ds, columns, table), there, table + " columns");
            String indexes = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ?"
                    + " AND indexname NOT IN ('migration_ledger_server_step_idx', 'migration_ledger_server_idx')"
                    + " ORDER BY indexname";
            assertEquals(Sql.column(ds, indexes, table), extra.column(0, indexes, table), table + " indexes");
            String checks = "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conrelid = ('public.' || ?)::regclass ORDER BY 1";
            assertEquals(Sql.column(ds, checks, table), extra.column(0, checks, table), table + " constraints");
        }
        // Installing again finds nothing to do.
        Server s = repository.find(NAME).await().atMost(WAIT);
        assertEquals(0, ServerTables.install(NAME, s.connection(), PASSWORD));
    }

    @Test
    void aStoppedServerIsUnreachableUntilItIsBack() {
        registered();
        checks.check().await().atMost(WAIT);
        assertEquals(Boolean.TRUE, repository.find(NAME).await().atMost(WAIT).reachable());
        try (LogCapture log = LogCapture.install()) {
            extra.stopImmediately(0);
            checks.check().await().atMost(WAIT);
            Server down = repository.find(NAME).await().atMost(WAIT);
            assertEquals(Boolean.FALSE, down.reachable());
            assertNotNull(down.lastError());
            assertNotNull(down.lastCheckedAt());
            checks.check().await().atMost(WAIT); // still down: not logged again
            // A start while the server is down logs it and goes on.
            service.installAtStart(new StartupEvent());
            Await.until("the start-up install to give up on the stopped server",
                    () -> log.text().contains("Server " + NAME + " (") && log.text().contains("could not be prepared at start"));
            List<LogCapture.Line> warnings = log.lines().stream()
                    .filter(l -> l.level().intValue() == org.jboss.logmanager.Level.WARN.intValue() && l.text().contains("Server " + NAME + " ")).toList();
            assertEquals(2, warnings.size(), log.text()); // the check's, once, and the start-up install's
            assertTrue(warnings.get(0).text().contains("unreachable"), warnings.get(0).text());

            extra.restart(0);
            checks.check().await().atMost(WAIT);
            Server up = repository.find(NAME).await().atMost(WAIT);
            assertEquals(Boolean.TRUE, up.reachable(), up.lastError());
            assertNull(up.lastError());
            assertTrue(log.text().contains("Server " + NAME + " (") && log.text().contains("reachable again"), log.text());
            assertFalse(log.text().contains(PASSWORD), "a password in the log");
        }
    }
}
