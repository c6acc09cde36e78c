package io.flotilla.api;

import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A company's maintenance window through the API: set at onboarding, changed and removed by PATCH, refused when bad. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class CompanyWindowTest {

    static final Map<String, Object> BERLIN = Map.of("timeZone", "Europe/Berlin", "ranges", List.of(
            Map.of("days", List.of("mon", "tue", "wed", "thu", "fri"), "from", "01:00", "to", "05:00")));
    static final Map<String, Object> SYDNEY = Map.of("timeZone", "Australia/Sydney", "ranges", List.of(
            Map.of("days", List.of("sun"), "from", "22:00", "to", "02:00"),
            Map.of("days", List.of("wed"), "from", "23:30", "to", "24:00")));

    @Inject
    DataSource ds;

    static String onboard(String schema, Map<String, Object> window) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("companyName", "Co " + schema, "schemaName", schema,
                "status", "inactive"));
        if (window != null) {
            body.put("window", window);
        }
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/companies")
                .then().statusCode(201).extract().path("id");
    }

    long windows(String companyId) {
        return Sql.count(ds, "SELECT count(*) FROM public.company_windows WHERE company_id = ?::uuid", companyId);
    }

    @Test
    void aWindowSetAtOnboardingIsShownInTheCompanyViewAndTheList() {
        String schema = Sql.unique("win");
        String id = onboard(schema, BERLIN);
        given().get("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("window.timeZone", equalTo("Europe/Berlin"))
                .body("window.ranges[0].days", equalTo(List.of("mon", "tue", "wed", "thu", "fri")))
                .body("window.ranges[0].from", equalTo("01:00"))
                .body("window.ranges[0].to", equalTo("05:00"));
        given().queryParam("size", 500).get("/api/v1/companies").then().statusCode(200)
                .body("items.find { it.id == '" + id + "' }.window.timeZone", equalTo("Europe/Berlin"));
        assertEquals(List.of("mon,tue,wed,thu,fri 01:00-05:00"), Sql.column(ds,
                "SELECT unnest(ranges) FROM public.company_windows WHERE company_id = ?::uuid", id));
    }

    @Test
    void patchSetsReplacesAndRemovesTheWindowAndLeavesTheRestAlone() {
        String id = onboard(Sql.unique("win"), null);
        given().get("/api/v1/companies/{id}", id).then().body("window", nullValue());

        given().contentType(ContentType.JSON).body(Map.of("window", BERLIN)).patch("/api/v1/companies/{id}", id)
                .then().statusCode(200).body("window.timeZone", equalTo("Europe/Berlin")).body("status", equalTo("inactive"));
        given().contentType(ContentType.JSON).body(Map.of("window", SYDNEY, "settings", Map.of("tier", "gold")))
                .patch("/api/v1/companies/{id}", id).then().statusCode(200);
        given().get("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("window.timeZone", equalTo("Australia/Sydney"))
                .body("window.ranges.size()", equalTo(2))
                .body("window.ranges[0].from", equalTo("22:00")).body("window.ranges[0].to", equalTo("02:00"))
                .body("window.ranges[1].to", equalTo("24:00"))
                .body("settings.tier", equalTo("gold"));
        // Status alone keeps the window.
        given().contentType(ContentType.JSON).body(Map.of("status", "active")).patch("/api/v1/companies/{id}", id)
                .then().statusCode(200).body("window.timeZone", equalTo("Australia/Sydney"));

        given().contentType(ContentType.JSON).body(Map.of("removeWindow", true)).patch("/api/v1/companies/{id}", id)
                .then().statusCode(200).body("window", nullValue()).body("status", equalTo("active"));
        given().get("/api/v1/companies/{id}", id).then().body("window", nullValue());
        assertEquals(0, windows(id));
    }

    static Map<String, Object> window(String zone, List<Map<String, Object>> ranges) {
        return Map.of("timeZone", zone, "ranges", ranges);
    }

    static Map<String, Object> range(List<String> days, String from, String to) {
        return Map.of("days", days, "from", from, "to", to);
    }

    static final List<Object[]> BAD = List.of(
            new Object[]{window("Mars/Olympus", List.of(range(List.of("mon"), "01:00", "02:00"))), "not a known IANA time zone"},
            new Object[]{window("UTC", List.of(range(List.of("mon"), "03:00", "03:00"))), "is empty"},
            new Object[]{window("UTC", List.of()), "at least one range"},
            new Object[]{window("UTC", List.of(range(List.of("mon"), "01:00", "03:00"),
                    range(List.of("mon", "tue"), "02:00", "04:00"))), "overlap"},
            new Object[]{window("UTC", List.of(range(List.of("Monday"), "01:00", "02:00"))), "is not one of mon"},
            new Object[]{window("UTC", List.of(range(List.of("mon"), "1am", "02:00"))), "is not a local time"});

    @Test
    void aBadWindowAtOnboardingIs400AndNothingIsCreated() {
        for (Object[] bad : BAD) {
            String schema = Sql.unique("winbad");
            given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema,
                            "window", bad[0]))
                    .post("/api/v1/companies").then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("urn:flotilla:problem:invalid-window"))
                    .body("detail", containsString((String) bad[1]));
            assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema), bad[1].toString());
            assertFalse(Sql.schemaExists(ds, schema), bad[1].toString());
        }
    }

    @Test
    void aBadWindowInAPatchIs400AndTheCompanyKeepsItsWindowAndStatus() {
        String id = onboard(Sql.unique("win"), BERLIN);
        for (Object[] bad : BAD) {
            given().contentType(ContentType.JSON).body(Map.of("window", bad[0], "status", "active"))
                    .patch("/api/v1/companies/{id}", id).then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("urn:flotilla:problem:invalid-window"))
                    .body("detail", containsString((String) bad[1]));
        }
        given().contentType(ContentType.JSON).body(Map.of("window", SYDNEY, "removeWindow", true))
                .patch("/api/v1/companies/{id}", id).then().statusCode(400)
                .body("type", equalTo("urn:flotilla:problem:invalid-window"));
        given().get("/api/v1/companies/{id}", id).then().statusCode(200)
                .body("window.timeZone", equalTo("Europe/Berlin")).body("status", equalTo("inactive"));
    }
}
