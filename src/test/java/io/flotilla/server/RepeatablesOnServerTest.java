package io.flotilla.server;

import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A repeatable migration on a company of another server: its rows and state there, and copied home. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RepeatablesOnServerTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String PASSWORD = "pw-rep-" + UUID.randomUUID();
    static final String NAME = Sql.unique("rep");

    static ExtraServers extra;

    @Inject
    DataSource ds;
    @Inject
    CompanyService companies;
    @Inject
    SchemaMigrator migrator;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        TestTokens.useAdminByDefault();
        extra = ExtraServers.start(PASSWORD);
    }

    @AfterAll
    static void stop() {
        ExtraServers.forget(Arc.container().instance(DataSource.class).get(), NAME);
        if (extra != null) {
            extra.close();
        }
    }

    MigrationCatalog catalog(String views) throws IOException {
        Path d = Files.createTempDirectory(dir, "flyway");
        Files.writeString(d.resolve("V1__items.sql"), "CREATE TABLE items (id int PRIMARY KEY, label text);\n");
        Files.writeString(d.resolve("R__views.sql"), views);
        return MigrationResolver.resolve(d, true).orThrow();
    }

    List<String> there(String sql, Object... params) {
        return extra.column(0, sql, params);
    }

    @Test
    void repeatableStepsAndStateAreRecordedOnTheServerAndCopiedHome() throws IOException {
        given().contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1", "port", extra.port(0),
                        "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "connectionBudget", 2,
                        "passwordFrom", Map.of("file", extra.passwordFile(0).toString())))
                .when().post("/api/v1/servers").then().statusCode(201);
        Company c = companies.onboard(new CompanyService.NewCompany("Co rep server", Sql.unique("reps"), "inactive",
                Map.of(), NAME)).await().atMost(WAIT).company();
        c = companies.update(c.id(), "active", null).await().atMost(WAIT);
        MigrationCatalog first = catalog("CREATE OR REPLACE VIEW v AS SELECT id FROM items;\n");
        MigrationCatalog changed = catalog("CREATE OR REPLACE VIEW v AS SELECT id, label FROM items;\n");

        ApplyResult one = migrator.migrate(c, first, false).await().atMost(WAIT);
        ApplyResult two = migrator.migrate(c, changed, false).await().atMost(WAIT);

        assertEquals(List.of("views"), one.repeatables());
        assertEquals(List.of("views"), two.repeatables());
        String id = c.id().toString();
        List<String> steps = there("SELECT id || ':' || version || ':' || status FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid ORDER BY id", id);
        assertEquals(3, steps.size(), steps::toString);
        assertTrue(steps.get(2).endsWith(":R:applied"), steps::toString);
        assertEquals(steps, Sql.column(ds, "SELECT server_step_id || ':' || version || ':' || status"
                + " FROM public.migration_ledger WHERE company_id = ?::uuid AND server = ? ORDER BY server_step_id", id, NAME));
        String sum = changed.repeatables().get(0).checksum();
        assertEquals(List.of("views:" + sum), there("SELECT name || ':' || checksum FROM public.repeatable_state"
                + " WHERE company_id = ?::uuid AND applied AND NOT failed", id));
        assertEquals(List.of("views:" + sum), Sql.column(ds, "SELECT name || ':' || checksum FROM public.repeatable_state"
                + " WHERE company_id = ?::uuid AND applied AND NOT failed", id));
        // Home's copy feeds the planner: the company's shape holds the repeatable as applied.
        assertEquals(List.of("{views}"), Sql.column(ds, "SELECT sh.repeatables::text FROM public.company_shapes cs"
                + " JOIN public.state_shapes sh ON sh.shape = cs.shape WHERE cs.company_id = ?::uuid", id));
    }
}
