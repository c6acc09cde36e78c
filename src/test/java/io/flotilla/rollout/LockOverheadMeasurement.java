package io.flotilla.rollout;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/**
 * A measurement, not a check (not named *Test, so the suite does not run it): what the per-step lock timeout costs a
 * rollout when nothing is contended. Rollouts of the sample catalog to {@code FLOTILLA_MEASURE_SCHEMAS} (200) empty
 * schemas, alternately with {@code "lockTimeouts": []} (no SET LOCAL at all, the code path as before) and with the
 * defaults, each timed by the database (finished_at - started_at). Run with
 * {@code mvn -Dtest=LockOverheadMeasurement test}.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LockOverheadMeasurement {

    @Inject
    DataSource ds;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    List<UUID> fleet(int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String schema = Sql.unique("overhead");
            Sql.execute(ds, "CREATE SCHEMA " + schema);
            ids.add(UUID.fromString(Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name)"
                    + " VALUES (?, ?) RETURNING id::text", "Co " + schema, schema).get(0)));
        }
        return ids;
    }

    double run(List<UUID> ids, Map<String, Object> strategy) {
        Map<String, Object> body = new HashMap<>();
        body.put("companyIds", ids);
        body.put("strategy", strategy);
        String id = given().contentType(ContentType.JSON).body(body).post("/api/v1/rollouts").then().statusCode(202)
                .extract().path("id");
        Await.until("rollout " + id, () -> "succeeded".equals(Sql.column(ds, "SELECT state FROM public.rollouts"
                + " WHERE id = ?::uuid", id).get(0)));
        return Double.parseDouble(Sql.column(ds, "SELECT extract(epoch FROM finished_at - started_at)::text"
                + " FROM public.rollouts WHERE id = ?::uuid", id).get(0));
    }

    @Test
    void measure() {
        int n = Integer.parseInt(System.getenv().getOrDefault("FLOTILLA_MEASURE_SCHEMAS", "200"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("FLOTILLA_MEASURE_ROUNDS", "3"));
        run(fleet(50), Map.of("maxParallel", 4)); // warm-up, untimed
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // Alternating which goes first, so that a fleet growing over the runs favours neither.
            if (r % 2 == 0) {
                without.add(run(fleet(n), Map.of("maxParallel", 4, "lockTimeouts", List.of())));
                with.add(run(fleet(n), Map.of("maxParallel", 4)));
            } else {
                with.add(run(fleet(n), Map.of("maxParallel", 4)));
                without.add(run(fleet(n), Map.of("maxParallel", 4, "lockTimeouts", List.of())));
            }
        }
        var timeouts = metrics.find("flotilla.lock.timeouts").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        System.out.printf("MEASURE %d schemas x 7 steps, maxParallel 4: without lock_timeout %s s; with the default"
                + " attempts %s s; lock timeouts met: %.0f%n", n, without, with, timeouts);
    }
}
