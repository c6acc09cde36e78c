package io.flotilla.maintenance;

import io.flotilla.testsupport.FastMaintenanceProfile;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Quartz fires the refresh job on its (test-short) cron; a disabled job is not scheduled. */
@QuarkusTest
@TestProfile(FastMaintenanceProfile.class)
@WithTestResource(PostgresResource.class)
class ScheduledMaintenanceTest {

    @Inject
    DataSource ds;

    @Test
    void theCronFiresTheRefreshInEveryCompanySchema() {
        String[] a = MaintenanceTest.company();
        String[] b = MaintenanceTest.company();
        for (String schema : List.of(a[1], b[1])) {
            Sql.execute(ds, "INSERT INTO " + schema + ".conversations (tenant_id, title, updated_at)"
                    + " VALUES (gen_random_uuid(), 'x', ?::timestamptz)", OffsetDateTime.now().toString());
        }
        OffsetDateTime since = OffsetDateTime.now();
        // A scheduled run that started after the rows went in has refreshed both views.
        Await.until("a scheduled refresh covering both companies", () -> Sql.count(ds,
                "SELECT count(*) FROM public.maintenance_runs r WHERE r.job = 'refresh-materialized-views'"
                        + " AND r.trigger = 'scheduled' AND r.state = 'succeeded' AND r.started_at > ?::timestamptz"
                        + " AND EXISTS (SELECT 1 FROM public.maintenance_steps s WHERE s.run_id = r.id AND s.schema_name = ?)"
                        + " AND EXISTS (SELECT 1 FROM public.maintenance_steps s WHERE s.run_id = r.id AND s.schema_name = ?)",
                since.toString(), a[1], b[1]) > 0);
        for (String schema : List.of(a[1], b[1])) {
            assertEquals(List.of("1"), Sql.column(ds, "SELECT sum(conversations)::text FROM " + schema + ".conversation_daily_stats"));
        }
        given().get("/api/v1/maintenance/jobs").then()
                .body("find { it.name == 'refresh-materialized-views' }.cron", equalTo("0/2 * * * * ?"))
                .body("find { it.name == 'vacuum-analyze' }.enabled", equalTo(false))
                .body("find { it.name == 'vacuum-analyze' }.nextFireTime", nullValue());
    }
}
