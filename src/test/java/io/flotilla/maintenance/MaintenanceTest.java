package io.flotilla.maintenance;

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
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Maintenance jobs run through Quartz on real tenant schemas, asked for over HTTP. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class MaintenanceTest {

    @Inject
    DataSource ds;

    /** Onboards a company (every sample migration applied) and returns [id, schema]. */
    static String[] company() {
        String schema = Sql.unique("mnt");
        String id = given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
        return new String[]{id, schema};
    }

    void chat(String schema, String updatedAt) {
        Sql.execute(ds, "WITH c AS (INSERT INTO " + schema + ".conversations (tenant_id, title, updated_at)"
                + " VALUES (gen_random_uuid(), 'hello', ?::timestamptz) RETURNING id, tenant_id)"
                + " INSERT INTO " + schema + ".messages (conversation_id, tenant_id, role, content, token_count)"
                + " SELECT id, tenant_id, 'user', 'hi', 3 FROM c", updatedAt);
    }


    static Response run(String job, List<String> companyIds) {
        String id = given().contentType(ContentType.JSON).body(Map.of("companyIds", companyIds))
                .post("/api/v1/maintenance/jobs/{job}/run", job)
                .then().statusCode(202).header("Location", containsString("/api/v1/maintenance/runs/"))
                // Read back after the job was handed to Quartz: on a fast server it may already have started.
                .body("state", oneOf("pending", "running")).extract().path("id");
        Await.until("run " + id, () -> List.of("succeeded", "failed")
                .contains(given().get("/api/v1/maintenance/runs/{id}", id).<String>path("state")));
        return given().get("/api/v1/maintenance/runs/{id}", id);
    }

    @Test
    void refreshFillsEveryCompanysMaterializedViewConcurrently() {
        String[] a = company();
        String[] b = company();
        chat(a[1], OffsetDateTime.now().toString());
        chat(b[1], OffsetDateTime.now().toString());
        chat(b[1], OffsetDateTime.now().toString());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM " + a[1] + ".conversation_daily_stats"), "not refreshed yet");
        run(MaintenanceCatalog.REFRESH, List.of(a[0], b[0])).then()
                .body("state", equalTo("succeeded")).body("companies", equalTo(2)).body("succeeded", equalTo(2))
                .body("steps", hasSize(2))
                .body("steps.detail", everyItem(equalTo("refreshed concurrently conversation_daily_stats")));
        assertEquals(List.of("1"), Sql.column(ds, "SELECT sum(conversations)::text FROM " + a[1] + ".conversation_daily_stats"));
        assertEquals(List.of("2"), Sql.column(ds, "SELECT sum(conversations)::text FROM " + b[1] + ".conversation_daily_stats"));
    }

    @Test
    void aViewWithoutAUniqueIndexIsRefreshedPlainlyAndSaysSo() {
        String[] a = company();
        Sql.execute(ds, "CREATE MATERIALIZED VIEW " + a[1] + ".plain_view AS SELECT count(*) AS n FROM " + a[1] + ".messages");
        run(MaintenanceCatalog.REFRESH, List.of(a[0])).then().body("state", equalTo("succeeded"))
                .body("steps[0].detail", equalTo("refreshed concurrently conversation_daily_stats, plain plain_view"));
    }

    @Test
    void vacuumRunsOutsideATransaction() {
        String[] a = company();
        chat(a[1], OffsetDateTime.now().toString());
        run(MaintenanceCatalog.VACUUM, List.of(a[0])).then()
                .body("state", equalTo("succeeded"))
                .body("steps[0].status", equalTo("succeeded"))
                .body("steps[0].detail", containsString("vacuumed and analyzed 6 tables"));
        // VACUUM itself records it; the statistics reach the view asynchronously.
        Await.until("vacuum statistics", () -> Sql.count(ds, "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = ?"
                + " AND relname = 'conversations' AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL", a[1]) == 1);
    }

    @Test
    void theCustomArchiveJobRunsInEachSchema() {
        String[] a = company();
        chat(a[1], OffsetDateTime.now().minusYears(1).toString());
        chat(a[1], OffsetDateTime.now().toString());
        run("archive-old-conversations", List.of(a[0])).then().body("state", equalTo("succeeded"))
                .body("steps[0].detail", equalTo("ran archive-old-conversations.sql"));
        assertEquals(List.of("active", "archived"), Sql.column(ds, "SELECT status FROM " + a[1] + ".conversations ORDER BY status"));
    }

    @Test
    void aFailureInOneSchemaIsRecordedWhileTheOthersSucceed() {
        String[] ok1 = company();
        String[] broken = company();
        String[] ok2 = company();
        Sql.execute(ds, "DROP TABLE " + broken[1] + ".conversations CASCADE");
        run("archive-old-conversations", List.of(ok1[0], broken[0], ok2[0])).then()
                .body("state", equalTo("failed"))
                .body("succeeded", equalTo(2)).body("failed", equalTo(1))
                .body("steps.findAll { it.status == 'failed' }.schemaName", equalTo(List.of(broken[1])))
                .body("steps.findAll { it.status == 'failed' }.errorSqlState", equalTo(List.of("42P01")))
                .body("steps.findAll { it.status == 'succeeded' }.schemaName", hasItems(ok1[1], ok2[1]));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.maintenance_steps s JOIN public.maintenance_runs r"
                + " ON r.id = s.run_id WHERE s.schema_name = ? AND s.status = 'failed' AND s.error LIKE '%conversations%'", broken[1]));
    }

    @Test
    void jobsListTheirScheduleAndLastRun() {
        String[] a = company();
        run(MaintenanceCatalog.VACUUM, List.of(a[0]));
        given().get("/api/v1/maintenance/jobs").then().statusCode(200)
                .body("name", hasItems("refresh-materialized-views", "vacuum-analyze", "archive-old-conversations"))
                .body("find { it.name == 'vacuum-analyze' }.cron", equalTo("0 0 3 ? * SUN"))
                .body("find { it.name == 'vacuum-analyze' }.nextFireTime", notNullValue())
                .body("find { it.name == 'vacuum-analyze' }.lastRun.state", equalTo("succeeded"))
                .body("find { it.name == 'archive-old-conversations' }.kind", equalTo("custom-sql"))
                .body("find { it.name == 'archive-old-conversations' }.cron", equalTo("0 0 3 1 * ?"));
        given().queryParam("job", "vacuum-analyze").get("/api/v1/maintenance/runs").then().statusCode(200)
                .body("job", everyItem(equalTo("vacuum-analyze")));
    }

    @Test
    void badRequestsChangeNothing() {
        long runs = Sql.count(ds, "SELECT count(*) FROM public.maintenance_runs");
        given().post("/api/v1/maintenance/jobs/no-such-job/run").then().statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"companyIds\": [\"00000000-0000-0000-0000-000000000000\"]}")
                .post("/api/v1/maintenance/jobs/vacuum-analyze/run").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"companies\": 3}")
                .post("/api/v1/maintenance/jobs/vacuum-analyze/run").then().statusCode(400);
        given().get("/api/v1/maintenance/runs/not-a-uuid").then().statusCode(400);
        given().get("/api/v1/maintenance/runs/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        given().queryParam("job", "nope").get("/api/v1/maintenance/runs").then().statusCode(404);
        assertEquals(runs, Sql.count(ds, "SELECT count(*) FROM public.maintenance_runs"));
        assertTrue(runs >= 0);
    }
}
