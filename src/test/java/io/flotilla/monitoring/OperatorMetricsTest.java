package io.flotilla.monitoring;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics the alert rules (k8s/grafana/flotilla-alerts.yaml) watch, read off /q/metrics as Prometheus scrapes
 * them: scheduled rollouts waiting and overdue, rollouts ended by outcome, webhook deliveries by outcome from the start.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OperatorMetricsTest {

    @Inject
    DataSource ds;

    @Inject
    GaugeRefreshJob gauges;

    @Test
    void scheduledRolloutsWaitingAndOverdueAreGauged() {
        String company = onboard();
        String id = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company),
                        "startAt", OffsetDateTime.now().plusHours(1).toString()))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        try {
            gauges.refresh().await().atMost(Duration.ofSeconds(60));
            long waiting = Sql.count(ds, "SELECT count(*) FROM public.rollouts WHERE state = 'scheduled'");
            assertTrue(waiting >= 1);
            assertEquals(waiting, value("flotilla_rollouts_scheduled", ""), 0.0);
            assertEquals(Sql.count(ds, "SELECT count(*) FROM public.rollouts WHERE state = 'scheduled'"
                    + " AND start_at < now() - interval '1 minute'"), value("flotilla_rollouts_scheduled_overdue", ""), 0.0);

            // Its startAt passed ten minutes ago and nothing started it (as when no replica's trigger fired): overdue.
            double overdueBefore = value("flotilla_rollouts_scheduled_overdue", "");
            Sql.execute(ds, "UPDATE public.rollouts SET start_at = now() - interval '10 minutes' WHERE id = ?::uuid", id);
            gauges.refresh().await().atMost(Duration.ofSeconds(60));
            assertEquals(overdueBefore + 1, value("flotilla_rollouts_scheduled_overdue", ""), 0.0);
        } finally {
            given().post("/api/v1/rollouts/{id}/cancel", id).then().statusCode(200);
        }
        gauges.refresh().await().atMost(Duration.ofSeconds(60));
        assertEquals(Sql.count(ds, "SELECT count(*) FROM public.rollouts WHERE state = 'scheduled'"),
                value("flotilla_rollouts_scheduled", ""), 0.0);
    }

    @Test
    void aFailedRolloutCountsAsFailedAndEveryDeliveryOutcomeIsThereFromTheStart() {
        for (String outcome : List.of("delivered", "retry", "failed")) {
            assertTrue(value("flotilla_webhook_deliveries_total", "outcome=\"" + outcome + "\"") >= 0,
                    "the " + outcome + " series exists before any delivery");
        }
        double failedBefore = value("flotilla_rollouts_finished_total", "outcome=\"failed\"");
        double succeededBefore = value("flotilla_rollouts_finished_total", "outcome=\"succeeded\"");

        // A company whose schema already has migration 1's table: its first step fails (42P07).
        String schema = Sql.unique("metrics_broken");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        Sql.execute(ds, "CREATE TABLE " + schema + ".conversations (id int)");
        String broken = Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?)"
                + " RETURNING id::text", "Co " + schema, schema).get(0);
        String id = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(broken)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("rollout " + id + " ends", () -> "failed".equals(given().get("/api/v1/rollouts/{id}", id)
                .<String>path("state")));
        assertEquals(failedBefore + 1, value("flotilla_rollouts_finished_total", "outcome=\"failed\""), 0.0);
        assertEquals(succeededBefore, value("flotilla_rollouts_finished_total", "outcome=\"succeeded\""), 0.0);
    }

    private static String onboard() {
        String schema = Sql.unique("metrics");
        return given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    /** The value of the one series of {@code name} whose labels include {@code labels}; fails when there is none. */
    static double value(String name, String labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Pattern series = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher m = series.matcher(text);
        while (m.find()) {
            if (labels.isEmpty() || m.group(1) != null && m.group(1).contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no series " + name + "{" + labels + "} on /q/metrics");
    }
}
