package io.flotilla.verification;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.migration.ApplyResult;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.Catalogs;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /companies/{id}/verify against real schemas, changed behind Flotilla's back with plain SQL. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class VerificationTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final List<String> SAMPLE_TABLES = List.of("ai_config", "conversations", "feedback", "messages", "usage_metrics");
    static final List<String> ALL_VERSIONS = List.of("1", "2", "3", "4", "5", "6", "7");

    @Inject
    DataSource ds;
    @Inject
    CompanyService companies;
    @Inject
    SchemaMigrator migrator;
    @Inject
    CatalogService catalog;
    @Inject
    VerificationService verification;

    @TempDir
    Path dir;

    @AfterEach
    void noScratchSchemaIsLeftBehind() {
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'flotilla\\_scratch\\_%'"));
    }

    static String onboard(String schema, Map<String, Object> settings) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Co " + schema, "schemaName", schema, "settings", settings))
                .when().post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    static io.restassured.response.ValidatableResponse verify(String id) {
        return given().when().get("/api/v1/companies/{id}/verify", id).then().statusCode(200);
    }

    @Test
    void aFreshlyOnboardedCompanyVerifies() {
        String schema = Sql.unique("fresh");
        String id = onboard(schema, Map.of("embedding_dimensions", 3072));
        verify(id).body("ok", equalTo(true))
                .body("companyId", equalTo(id))
                .body("schemaName", equalTo(schema))
                .body("appliedVersions", equalTo(ALL_VERSIONS))
                .body("expectedTables", equalTo(SAMPLE_TABLES))
                .body("missingTables", empty())
                .body("extraTables", empty())
                .body("rlsDisabled", empty())
                .body("withoutPolicy", empty())
                .body("unverifiable", empty())
                .body("failure", nullValue());
    }

    @Test
    void aDroppedTableIsMissing() {
        String schema = Sql.unique("dropped");
        String id = onboard(schema, Map.of());
        Sql.execute(ds, "DROP TABLE " + schema + ".feedback");
        verify(id).body("ok", equalTo(false))
                .body("missingTables", equalTo(List.of("feedback")))
                .body("extraTables", empty())
                .body("expectedTables", equalTo(SAMPLE_TABLES));
    }

    @Test
    void disabledRowSecurityIsReported() {
        String schema = Sql.unique("norls");
        String id = onboard(schema, Map.of());
        Sql.execute(ds, "ALTER TABLE " + schema + ".messages DISABLE ROW LEVEL SECURITY");
        verify(id).body("ok", equalTo(false))
                .body("rlsDisabled", equalTo(List.of("messages")))
                .body("withoutPolicy", empty())
                .body("missingTables", empty());

        Sql.execute(ds, "ALTER TABLE " + schema + ".messages ENABLE ROW LEVEL SECURITY");
        Sql.execute(ds, "DROP POLICY tenant_isolation ON " + schema + ".messages");
        verify(id).body("ok", equalTo(false)).body("rlsDisabled", empty()).body("withoutPolicy", equalTo(List.of("messages")));
    }

    @Test
    void aTableNoMigrationCreatesIsExtra() {
        String schema = Sql.unique("stray");
        String id = onboard(schema, Map.of());
        Sql.execute(ds, "CREATE TABLE " + schema + ".stray (id int)");
        verify(id).body("ok", equalTo(false))
                .body("extraTables", equalTo(List.of("stray")))
                .body("missingTables", empty())
                // Outside the migrations, a table without row security is judged on its own.
                .body("rlsDisabled", equalTo(List.of("stray")))
                .body("withoutPolicy", equalTo(List.of("stray")));
    }

    @Test
    void aRolledBackCompanyExpectsOnlyTheTablesOfItsAppliedVersions() {
        String schema = Sql.unique("rolled");
        String id = onboard(schema, Map.of());
        Company company = companies.get(UUID.fromString(id)).await().atMost(WAIT);
        ApplyResult down = migrator.migrate(company, catalog.catalog(), new Target(Direction.DOWN, Version.parse("3")),
                false, UUID.randomUUID()).await().atMost(WAIT);
        assertTrue(down.succeeded(), () -> String.valueOf(down.failure()));

        verify(id).body("ok", equalTo(true))
                .body("appliedVersions", equalTo(List.of("1", "2", "3")))
                .body("expectedTables", equalTo(List.of("conversations", "feedback", "messages")));

        // A table of a rolled-back version that is still there is extra.
        Sql.execute(ds, "CREATE TABLE " + schema + ".usage_metrics (tenant_id uuid)");
        verify(id).body("ok", equalTo(false)).body("extraTables", equalTo(List.of("usage_metrics")));
    }

    @Test
    void appliedVersionsWhoseFilesAreGoneAreUnverifiable() throws IOException {
        String schema = Sql.unique("gone");
        Company inactive = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        Company company = companies.update(inactive.id(), "active", null).await().atMost(WAIT);
        String a = "CREATE TABLE a (tenant_id uuid NOT NULL PRIMARY KEY);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n"
                + "CREATE POLICY p ON a USING (true);";
        String b = a.replace(" a ", " b ").replace(" a;", " b;").replace("ON a ", "ON b ");
        assertTrue(migrator.migrate(company, catalog(Map.of("001_a.sql", a, "002_b.sql", b)), false)
                .await().atMost(WAIT).succeeded());

        Verification v = verification.verify(company, catalog(Map.of("001_a.sql", a))).await().atMost(WAIT);

        assertFalse(v.ok());
        assertEquals(List.of("1", "2"), v.appliedVersions());
        assertEquals(List.of("2"), v.unverifiable());
        assertEquals(List.of("a"), v.expectedTables());
        assertEquals(List.of("b"), v.extraTables(), "what the missing file made cannot be expected");
        assertEquals(List.of(), v.missingTables());
    }

    MigrationCatalog catalog(Map<String, String> files) throws IOException {
        return Catalogs.of(dir, files);
    }

    @Test
    void unknownAndMalformedIds() {
        given().when().get("/api/v1/companies/{id}/verify", UUID.randomUUID().toString()).then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:flotilla:problem:company-not-found"));
        given().when().get("/api/v1/companies/{id}/verify", "not-a-uuid").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("UUID"));
    }

    @Test
    void theScratchPrefixIsNotATenantSchemaName() {
        given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Sneaky", "schemaName", "flotilla_scratch_0123456789abcdef"))
                .when().post("/api/v1/companies").then().statusCode(400)
                .body("type", equalTo("urn:flotilla:problem:invalid-schema-name"));
    }
}
