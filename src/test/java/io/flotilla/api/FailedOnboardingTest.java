package io.flotilla.api;

import io.flotilla.testsupport.FailingCatalogProfile;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@TestProfile(FailingCatalogProfile.class)
@WithTestResource(PostgresResource.class)
class FailedOnboardingTest {

    @Inject
    DataSource ds;

    @Test
    void aFailingMigrationIsAProblemNamingTheVersionAndTheCompanyStays() {
        String schema = Sql.unique("broken");
        String id = given().contentType(ContentType.JSON).body(Map.of("companyName", "Broken " + schema, "schemaName", schema))
                .when().post("/api/v1/companies")
                .then().statusCode(500).contentType("application/problem+json")
                .body("type", equalTo("urn:flotilla:problem:migration-failed"))
                .body("version", equalTo("2"))
                .body("script", equalTo("002_broken.sql"))
                .body("sqlState", equalTo("22012"))
                .body("detail", containsString("division by zero"))
                .body("appliedVersions", equalTo(List.of("1")))
                .body("pendingVersions", equalTo(List.of("2", "3")))
                .body("ledgerId", notNullValue())
                .extract().path("companyId");

        assertEquals(List.of("ok"), Sql.tables(ds, schema), "002 rolled back, its wrap and all; 003 never ran");
        assertEquals(List.of("failed"), Sql.column(ds, "SELECT status FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND version = '2'", id), "the ledger says failed only");
        given().when().get("/api/v1/companies/{id}/migrations", id).then().statusCode(200)
                .body("state", equalTo(List.of("applied", "failed", "pending")))
                .body("[1].lastErrorSqlState", equalTo("22012"));
        given().queryParam("companyId", id).queryParam("status", "failed").when().get("/api/v1/ledger").then()
                .statusCode(200).body("items[0].version", equalTo("2")).body("items[0].errorSqlState", equalTo("22012"))
                .body("items[0].errorPosition", nullValue()); // a run-time error has no position

        // Retrying fails the same way and records a second attempt; nothing else moves.
        given().when().post("/api/v1/companies/{id}/migrate", id).then().statusCode(500).body("version", equalTo("2"));
        assertEquals(2, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid AND status = 'failed'", id));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid AND status = 'applied'", id));
    }

    @Test
    void aFailingSeedIsA422NamingTheFileAndEverySeedFileIsRolledBack() throws Exception {
        String schema = Sql.unique("seedfail");
        String id = given().contentType(ContentType.JSON).body(Map.of("companyName", "Seeds " + schema, "schemaName", schema))
                .when().post("/api/v1/companies").then().statusCode(500).extract().path("companyId");
        long ledger = Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id);
        String broken = Files.readString(Path.of("src/test/resources/catalogs/failing/seeds/002_broken.sql"));

        for (int attempt = 0; attempt < 2; attempt++) { // the second finds the lock released and fails alike
            given().when().post("/api/v1/companies/{id}/seed", id).then().statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:flotilla:problem:seed-failed"))
                    .body("file", equalTo("002_broken.sql"))
                    .body("sqlState", equalTo("42703"))
                    .body("position", equalTo(broken.indexOf("missing_column") + 1))
                    .body("error", containsString("missing_column"))
                    .body("detail", containsString("002_broken.sql"));
            // 001_rows.sql ran, and 002's first statement: both rolled back.
            assertEquals(0, Sql.count(ds, "SELECT count(*) FROM " + schema + ".ok"));
        }
        assertEquals(ledger, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id));
    }
}
