package io.flotilla.api;

import io.flotilla.testsupport.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

@QuarkusTest
@WithTestResource(PostgresResource.class)
class MigrationResourceTest {

    @Test
    void listsTheSampleCatalogInOrder() {
        given().when().get("/api/v1/migrations").then().statusCode(200)
                .body("$", hasSize(7))
                .body("version", equalTo(java.util.List.of("1", "2", "3", "4", "5", "6", "7")))
                .body("checksum", everyItem(matchesPattern("[0-9a-f]{64}")))
                .body("hasRollback", everyItem(equalTo(true)))
                .body("[6].transactional", equalTo(false))
                .body("[0].transactional", equalTo(true))
                .body("[4].defaults.embedding_dimensions", equalTo("1536"))
                .body("[0].requires", hasSize(0))
                .body("layout", everyItem(equalTo("flotilla")));
        // A route of its own, not a malformed version: the sample catalog has no repeatable script.
        given().when().get("/api/v1/migrations/repeatables").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void oneVersionWithItsSqlAndPaddedOrNot() {
        given().when().get("/api/v1/migrations/007").then().statusCode(200)
                .body("version", equalTo("7"))
                .body("script", equalTo("007_index_messages_content_search.sql"))
                .body("sql", containsString("CONCURRENTLY"))
                .body("rollbackSql", containsString("DROP INDEX CONCURRENTLY"));
        given().when().get("/api/v1/migrations/7").then().statusCode(200).body("version", equalTo("7"));
    }

    @Test
    void unknownAndMalformedVersions() {
        given().when().get("/api/v1/migrations/999").then().statusCode(404).contentType("application/problem+json");
        given().when().get("/api/v1/migrations/abc").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void healthAndMetricsAreServed() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/companies"));
    }
}
