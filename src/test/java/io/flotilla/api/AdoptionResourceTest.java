package io.flotilla.api;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adoption over HTTP with the service's own catalog (Flotilla's layout, so no other tool's table: a baseline): the
 * schema is adopted at the version named, verified, and the next rollout applies only the rest; refusals are
 * problem+json 422 with their reasons and leave nothing.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AdoptionResourceTest {

    @Inject
    DataSource ds;

    static Response post(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies");
    }

    @Test
    void aBaselineAdoptsTheSchemaAndMigrateAppliesOnlyWhatItLacks() throws IOException {
        String schema = withFirstTwoVersions("adopt_rest");
        Map<String, Object> body = Map.of("companyName", "Co " + schema, "schemaName", schema, "adopt", true,
                "baselineVersion", "2");

        Response adopted = post(body);
        adopted.then().statusCode(201)
                .body("schemaName", equalTo(schema))
                .body("appliedVersions", equalTo(List.of()))
                .body("adoption.created", equalTo(true))
                .body("adoption.tool", equalTo("baseline"))
                .body("adoption.adoptedVersions", equalTo(List.of("1", "2")))
                .body("adoption.drifted", equalTo(false))
                .body("adoption.verification.ok", equalTo(true));
        String id = adopted.path("id");
        assertEquals(List.of("adopted", "adopted"), Sql.column(ds, "SELECT status FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid ORDER BY id", id));

        // The next rollout applies only what the schema lacks.
        String rollout = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(id)))
                .when().post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("rollout " + rollout + " to finish", () -> List.of("succeeded", "failed", "cancelled")
                .contains(given().get("/api/v1/rollouts/{id}", rollout).then().extract().<String>path("state")));
        given().get("/api/v1/rollouts/{id}", rollout).then().body("state", equalTo("succeeded"));
        assertEquals(List.of("3", "4", "5", "6", "7"), Sql.column(ds, "SELECT version FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND status = 'applied' ORDER BY id", id));
        given().when().get("/api/v1/companies/{id}/verify", id).then().statusCode(200).body("ok", equalTo(true));

        // Again: nothing done, 200.
        post(body).then().statusCode(200).body("id", equalTo(id)).body("adoption.created", equalTo(false));
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id));
    }

    @Test
    void refusalsAreProblemsAndRecordNothing() throws IOException {
        String schema = withFirstTwoVersions("adopt_rest_no");
        post(Map.of("companyName", "Co " + schema, "schemaName", schema, "adopt", true)).then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:flotilla:problem:adoption-refused"))
                .body("refusals[0].reason", equalTo("no-history"));
        post(Map.of("companyName", "Co " + schema, "schemaName", schema, "adopt", true, "baselineVersion", "3"))
                .then().statusCode(422)
                .body("refusals[0].reason", equalTo("shape-differs"))
                .body("verification.missingTables", equalTo(List.of("feedback")));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE schema_name = ?", schema));

        post(Map.of("companyName", "Co " + schema, "schemaName", schema, "adopt", true, "server", "nowhere"))
                .then().statusCode(400).body("type", equalTo("urn:flotilla:problem:server-unknown"));

        // Adoption's fields without adopt are a mistake, not ignored.
        post(Map.of("companyName", "Co " + schema, "schemaName", schema, "baselineVersion", "2")).then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
    }

    /** A schema with the catalog's versions 1 and 2 run in it by hand, as another tool would have. */
    private String withFirstTwoVersions(String prefix) throws IOException {
        String schema = Sql.unique(prefix);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema + "; SET search_path TO " + schema);
            for (String file : List.of("001_create_conversations.sql", "002_create_messages.sql")) {
                s.execute(Files.readString(Path.of("migrations", file)).replace("${schema}", "\"" + schema + "\""));
            }
            s.execute("RESET search_path");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return schema;
    }
}
