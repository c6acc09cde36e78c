package io.flotilla.adoption;

import io.flotilla.adoption.AdoptionService.AdoptRequest;
import io.flotilla.adoption.AdoptionService.Adoption;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.tenant.CompanyService.NewCompany;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A schema on another registered server is adopted there: the company row at home, the adopted steps in that
 * server's ledger (its V5 allows the status) and copied home; the next run applies only the new version there.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RemoteAdoptionTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String PASSWORD = "pw-adopt-" + UUID.randomUUID();
    static final String NAME = Sql.unique("adoptsrv");

    static ExtraServers extra;

    @Inject
    AdoptionService adoption;
    @Inject
    SchemaMigrator migrator;
    @Inject
    DataSource ds;

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

    @Test
    void aSchemaOnAnotherServerIsAdoptedThere() throws IOException, SQLException {
        given().contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1", "port", extra.port(0),
                        "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "connectionBudget", 4,
                        "passwordFrom", Map.of("file", extra.passwordFile(0).toString())))
                .when().post("/api/v1/servers").then().log().ifValidationFails().statusCode(201);
        Files.writeString(dir.resolve("1_post.up.sql"), AdoptionTest.V1);
        Files.writeString(dir.resolve("2_comment.up.sql"), AdoptionTest.V2);
        MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();
        String schema = Sql.unique("adopt_remote");
        try (Connection c = extra.connect(0); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema + "; SET search_path TO " + schema + "; " + AdoptionTest.V1
                    + AdoptionTest.V2 + "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean"
                    + " NOT NULL); INSERT INTO schema_migrations VALUES (2, false)");
        }

        Adoption adopted = adoption.adopt(new AdoptRequest(new NewCompany("Co " + schema, schema, null, Map.of(), NAME),
                false, null, null), catalog).await().atMost(WAIT);

        assertEquals(List.of("1", "2"), adopted.versions());
        assertTrue(adopted.verification().ok(), adopted.verification().toString());
        UUID id = adopted.company().id();
        assertEquals(List.of(NAME), Sql.column(ds, "SELECT server FROM public.companies WHERE id = ?", id));
        assertEquals(List.of("1:adopted", "2:adopted"), extra.column(0, "SELECT version || ':' || status"
                + " FROM public.migration_ledger WHERE company_id = ?::uuid ORDER BY id", id.toString()));
        assertEquals(List.of("1:adopted", "2:adopted"), Sql.column(ds, "SELECT version || ':' || status"
                + " FROM public.migration_ledger WHERE company_id = ? AND server = ? ORDER BY id", id, NAME));

        Files.writeString(dir.resolve("3_tag.up.sql"), AdoptionTest.V3);
        ApplyResult next = migrator.migrate(adopted.company(), MigrationResolver.resolve(dir, true).orThrow(), false)
                .await().atMost(WAIT);
        assertEquals(List.of("3"), next.applied());
        assertEquals(List.of("comment", "post", "schema_migrations", "tag"), extra.column(0,
                "SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY tablename", schema));
        assertEquals(List.of("2|false"), extra.column(0, "SELECT version || '|' || dirty FROM " + schema
                + ".schema_migrations"));
    }
}
