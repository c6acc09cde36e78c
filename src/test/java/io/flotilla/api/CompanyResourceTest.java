package io.flotilla.api;

import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(PostgresResource.class)
class CompanyResourceTest {

    static final List<String> SAMPLE_TABLES = List.of("ai_config", "conversations", "feedback", "messages", "usage_metrics");

    @Inject
    DataSource ds;

    static Response onboard(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies");
    }

    static String onboardActive(String schema) {
        return onboard(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .then().statusCode(201).extract().path("id");
    }

    @Test
    void onboardingCreatesTheSchemaAppliesEveryMigrationAndRecordsEachStep() {
        String schema = Sql.unique("acme");
        Response created = onboard(Map.of("companyName", "Acme " + schema, "schemaName", schema,
                "settings", Map.of("embedding_dimensions", 3072)));
        created.then().statusCode(201)
                .header("Location", containsString("/api/v1/companies/"))
                .body("id", notNullValue())
                .body("companyName", equalTo("Acme " + schema))
                .body("schemaName", equalTo(schema))
                .body("status", equalTo("active"))
                .body("settings.embedding_dimensions", equalTo(3072))
                .body("appliedVersions", equalTo(List.of("1", "2", "3", "4", "5", "6", "7")));
        String id = created.path("id");

        assertEquals(SAMPLE_TABLES, Sql.tables(ds, schema));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_matviews WHERE schemaname = ?", schema));
        // The non-transactional migration built a valid index.
        assertEquals(List.of("true"), Sql.column(ds, "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = 'messages_tenant_role_created_idx'", schema));
        // RLS on each tenant table, and the per-tenant template value.
        assertEquals(5, Sql.count(ds, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind = 'r' AND c.relrowsecurity", schema));
        assertEquals(List.of("3072"), Sql.column(ds, "SELECT column_default FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = 'ai_config' AND column_name = 'embedding_dimensions'", schema));
        // One applied ledger row per migration, with checksum and timings.
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid"
                + " AND status = 'applied' AND direction = 'up' AND finished_at IS NOT NULL AND duration_ms >= 0"
                + " AND length(checksum) = 64", id));

        given().when().get("/api/v1/companies/{id}/migrations", id).then().statusCode(200)
                .body("$", hasSize(7))
                .body("state", everyItem(equalTo("applied")))
                .body("drifted", everyItem(equalTo(false)))
                .body("appliedAt", everyItem(notNullValue()));
        given().queryParam("companyId", id).when().get("/api/v1/ledger").then().statusCode(200)
                .body("items", hasSize(7))
                .body("items[0].version", equalTo("7"))
                .body("items[0].transactional", equalTo(false))
                .body("items.status", everyItem(equalTo("applied")));
    }

    @Test
    void defaultTemplateValueAppliesWithoutSettings() {
        String schema = Sql.unique("plain");
        onboardActive(schema);
        assertEquals(List.of("1536"), Sql.column(ds, "SELECT column_default FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = 'ai_config' AND column_name = 'embedding_dimensions'", schema));
    }

    @Test
    void migrateAgainAppliesNothingNew() {
        String schema = Sql.unique("again");
        String id = onboardActive(schema);
        given().when().post("/api/v1/companies/{id}/migrate", id).then().statusCode(200)
                .body("applied", hasSize(0)).body("failure", nullValue());
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id));
    }

    @Test
    void inactiveCompanyGetsItsSchemaButNoMigrations() {
        String schema = Sql.unique("dormant");
        String id = onboard(Map.of("companyName", "Dormant " + schema, "schemaName", schema, "status", "inactive"))
                .then().statusCode(201).body("status", equalTo("inactive")).body("appliedVersions", hasSize(0))
                .extract().path("id");
        assertTrue(Sql.schemaExists(ds, schema));
        assertEquals(List.of(), Sql.tables(ds, schema));
        given().when().get("/api/v1/companies/{id}/migrations", id).then().statusCode(200)
                .body("state", everyItem(equalTo("pending")));
        given().when().post("/api/v1/companies/{id}/migrate", id).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("inactive"));
    }

    @Test
    void getListPatchAndSoftDelete() {
        String schema = Sql.unique("life");
        String id = onboardActive(schema);
        given().when().get("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("schemaName", equalTo(schema)).body("deletedAt", nullValue());

        given().contentType(ContentType.JSON).body(Map.of("status", "suspended", "settings", Map.of("embedding_dimensions", 768)))
                .when().patch("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("status", equalTo("suspended")).body("settings.embedding_dimensions", equalTo(768));
        given().queryParam("status", "suspended").queryParam("size", 500).when().get("/api/v1/companies").then()
                .statusCode(200).body("items.id", hasItem(id)).body("items.status", everyItem(equalTo("suspended")));
        given().queryParam("status", "active").queryParam("size", 500).when().get("/api/v1/companies").then()
                .statusCode(200).body("items.id", not(hasItem(id)));

        given().when().delete("/api/v1/companies/{id}", id).then().statusCode(200).body("deletedAt", notNullValue());
        assertTrue(Sql.schemaExists(ds, schema), "soft delete keeps the schema");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE id = ?::uuid AND deleted_at IS NOT NULL", id));
        given().queryParam("size", 500).when().get("/api/v1/companies").then().statusCode(200).body("items.id", not(hasItem(id)));
        given().queryParam("size", 500).queryParam("includeDeleted", true).when().get("/api/v1/companies").then()
                .statusCode(200).body("items.id", hasItem(id));
        given().contentType(ContentType.JSON).body(Map.of("status", "active"))
                .when().patch("/api/v1/companies/{id}", id).then().statusCode(404);
    }

    @Test
    void listIsPaginated() {
        onboardActive(Sql.unique("pg_a").replace("pg_", "pa_"));
        onboardActive(Sql.unique("pb"));
        int total = given().queryParam("size", 1).when().get("/api/v1/companies").then().statusCode(200)
                .body("items", hasSize(1)).body("size", equalTo(1)).extract().path("total");
        assertTrue(total >= 2);
        String first = given().queryParam("size", 1).queryParam("page", 0).get("/api/v1/companies").path("items[0].id");
        String second = given().queryParam("size", 1).queryParam("page", 1).get("/api/v1/companies").path("items[0].id");
        assertFalse(first.equals(second));
        given().queryParam("size", 1).queryParam("page", 100000).get("/api/v1/companies").then().statusCode(200)
                .body("items", hasSize(0)).body("total", equalTo(total));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; DROP TABLE companies", "\"quoted\"", "UPPER", "", "public", "information_schema",
            "pg_catalog_copy", "1starts_with_digit", "tenant-dash", "ünïcode", "a_very_long_schema_name_that_goes_on_and_on_past_sixty_three_chars_x"})
    void badSchemaNamesAre400AndChangeNothing(String schemaName) {
        long companies = Sql.count(ds, "SELECT count(*) FROM public.companies");
        long schemas = Sql.count(ds, "SELECT count(*) FROM pg_namespace");
        onboard(Map.of("companyName", Sql.unique("bad"), "schemaName", schemaName)).then()
                .statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("detail", containsString("schemaName"));
        assertEquals(companies, Sql.count(ds, "SELECT count(*) FROM public.companies"));
        assertEquals(schemas, Sql.count(ds, "SELECT count(*) FROM pg_namespace"));
    }

    @Test
    void badBodiesAre400() {
        given().contentType(ContentType.JSON).body("{\"companyName\": \"Broken\", ").when().post("/api/v1/companies")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"company_name\": \"Snake\", \"schema_name\": \"snake\"}")
                .when().post("/api/v1/companies").then().statusCode(400).body("detail", containsString("company_name"));
        onboard(Map.of("companyName", "Odd", "schemaName", Sql.unique("odd"), "status", "paused")).then()
                .statusCode(400).contentType("application/problem+json").body("detail", containsString("status"));
        onboard(Map.of("schemaName", Sql.unique("noname"))).then().statusCode(400).body("detail", containsString("companyName"));
        onboard(Map.of("companyName", "Inject", "schemaName", Sql.unique("inj"),
                "settings", Map.of("embedding_dimensions", "1536); DROP TABLE x; --"))).then()
                .statusCode(400).body("detail", containsString("settings.embedding_dimensions"));
        given().when().get("/api/v1/companies/not-a-uuid").then().statusCode(400).contentType("application/problem+json");
        given().queryParam("size", "lots").when().get("/api/v1/companies").then().statusCode(400);
        given().queryParam("status", "sleeping").when().get("/api/v1/companies").then().statusCode(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1--", "a/*b"})
    void settingsThatWouldOpenASqlCommentAre400OnCreateAndPatchAndChangeNothing(String value) {
        long companies = Sql.count(ds, "SELECT count(*) FROM public.companies");
        long schemas = Sql.count(ds, "SELECT count(*) FROM pg_namespace");
        String opener = value.contains("--") ? "--" : "/*";
        onboard(Map.of("companyName", Sql.unique("Comment"), "schemaName", Sql.unique("cmt"),
                "settings", Map.of("tier", value))).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:flotilla:problem:invalid-settings")).body("setting", equalTo("tier"))
                .body("detail", containsString("settings.tier must not contain '" + opener + "'"))
                .body("detail", containsString("open a comment"));
        assertEquals(companies, Sql.count(ds, "SELECT count(*) FROM public.companies"));
        assertEquals(schemas, Sql.count(ds, "SELECT count(*) FROM pg_namespace"));

        String id = onboard(Map.of("companyName", Sql.unique("Patched"), "schemaName", Sql.unique("cmp"),
                "settings", Map.of("tier", "gold"))).then().statusCode(201).extract().path("id");
        given().contentType(ContentType.JSON).body(Map.of("status", "suspended", "settings", Map.of("tier", value)))
                .when().patch("/api/v1/companies/{id}", id).then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("settings.tier must not contain '" + opener + "'"));
        given().when().get("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("status", equalTo("active")).body("settings.tier", equalTo("gold"));
    }

    @Test
    void settingsWithASingleDashOrSlashAreAccepted() {
        Response created = onboard(Map.of("companyName", Sql.unique("Dash"), "schemaName", Sql.unique("dash"),
                "settings", Map.of("range", "1-2", "path", "a/b")));
        created.then().statusCode(201).body("settings.range", equalTo("1-2")).body("settings.path", equalTo("a/b"));
        given().contentType(ContentType.JSON).body(Map.of("settings", Map.of("range", "3-4", "path", "c/d")))
                .when().patch("/api/v1/companies/{id}", created.path("id").toString()).then().statusCode(200)
                .body("settings.range", equalTo("3-4")).body("settings.path", equalTo("c/d"));
    }

    @Test
    void duplicatesAre409AndUnknownIdIs404() {
        String schema = Sql.unique("dup");
        onboardActive(schema);
        onboard(Map.of("companyName", "Other " + schema, "schemaName", schema)).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("schemaName"));
        onboard(Map.of("companyName", "Co " + schema, "schemaName", Sql.unique("dup2"))).then().statusCode(409)
                .body("detail", containsString("companyName"));
        given().when().get("/api/v1/companies/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType("application/problem+json").body("type", containsString("company-not-found"));
    }

    @Test
    void existingSchemaIs409AndLeavesNoRow() {
        String schema = Sql.unique("taken");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        onboard(Map.of("companyName", "Taken " + schema, "schemaName", schema)).then().statusCode(409)
                .body("detail", containsString("already exists"));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema));
    }
}
