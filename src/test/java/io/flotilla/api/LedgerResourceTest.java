package io.flotilla.api;

import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger's filters as the dashboard's ledger view uses them: status, a time range and id-cursor paging. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LedgerResourceTest {

    @Test
    void aTimeRangeKeepsOnlyStepsStartedInsideIt() {
        String id = CompanyResourceTest.onboardActive(Sql.unique("ledgertime"));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

        given().queryParam("companyId", id).queryParam("since", now.minusHours(1).toString())
                .queryParam("until", now.plusHours(1).toString())
                .when().get("/api/v1/ledger").then().statusCode(200).body("items", hasSize(7));
        // until is exclusive and bounds the start time: nothing of this company started before an hour ago.
        given().queryParam("companyId", id).queryParam("until", now.minusHours(1).toString())
                .when().get("/api/v1/ledger").then().statusCode(200).body("items", hasSize(0))
                .body("nextBefore", nullValue());
        // A date alone is midnight UTC: tomorrow's midnight is after every step of today.
        given().queryParam("companyId", id).queryParam("until", now.toLocalDate().plusDays(1).toString())
                .when().get("/api/v1/ledger").then().statusCode(200).body("items", hasSize(7));
        given().queryParam("companyId", id).queryParam("since", now.plusHours(1).toString())
                .when().get("/api/v1/ledger").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void aBadOrEmptyTimeRangeIsAProblem() {
        given().queryParam("until", "yesterday").when().get("/api/v1/ledger").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("until"));
        given().queryParam("since", "2026-11-24").queryParam("until", "2026-11-24T00:00:00Z")
                .when().get("/api/v1/ledger").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("must be after since"));
        given().queryParam("status", "done").when().get("/api/v1/ledger").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("running, applied, failed"));
    }

    @Test
    void statusFilterAndPagingWithTheCursor() {
        String id = CompanyResourceTest.onboardActive(Sql.unique("ledgerpage"));
        given().queryParam("companyId", id).queryParam("status", "failed").when().get("/api/v1/ledger")
                .then().statusCode(200).body("items", hasSize(0));

        var first = given().queryParam("companyId", id).queryParam("status", "applied").queryParam("limit", 4)
                .when().get("/api/v1/ledger").then().statusCode(200)
                .body("items", hasSize(4)).body("items.status", everyItem(equalTo("applied")))
                .body("nextBefore", notNullValue()).extract();
        long cursor = first.<Number>path("nextBefore").longValue();
        List<Number> firstIds = first.path("items.id");
        var second = given().queryParam("companyId", id).queryParam("status", "applied").queryParam("limit", 4)
                .queryParam("before", cursor).when().get("/api/v1/ledger").then().statusCode(200)
                .body("items", hasSize(3)).body("nextBefore", nullValue()).extract();
        List<Number> secondIds = second.path("items.id");
        assertEquals(cursor, firstIds.get(3).longValue(), "the cursor is the last id of the page");
        assertTrue(secondIds.stream().allMatch(n -> n.longValue() < cursor), "the next page holds older steps only");
        assertEquals("1", second.path("items[2].version"), "the oldest step comes last");
    }
}
