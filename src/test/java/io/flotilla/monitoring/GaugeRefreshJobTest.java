package io.flotilla.monitoring;

import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gauges on /q/metrics after a refresh; the %test profile sets the timer long, so the test refreshes itself. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GaugeRefreshJobTest {

    @Inject
    DataSource ds;

    @Inject
    GaugeRefreshJob job;

    @Inject
    MeterRegistry registry;

    @Test
    void gaugesShowFleetTotalsWithBoundedSeries() {
        String schema = Sql.unique("mon_gauge");
        given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .when().post("/api/v1/companies").then().statusCode(201);
        Sql.execute(ds, "INSERT INTO " + schema + ".conversations (tenant_id, title)"
                + " SELECT gen_random_uuid(), 'title ' || g FROM generate_series(1, 2000) g");
        Sql.execute(ds, "CREATE INDEX " + Sql.unique("gauge_idx") + " ON " + schema + ".conversations (title)");
        // Sizes come from the statistics (relpages), which VACUUM / ANALYZE (autovacuum, the maintenance job) keep.
        Sql.execute(ds, "VACUUM ANALYZE " + schema + ".conversations");

        Timer timer = registry.find("flotilla.monitoring.refresh").tag("outcome", "success").timer();
        assertNotNull(timer, "the refresh timer is registered before any refresh");
        long refreshesBefore = timer.count();
        MonitoringSnapshot snapshot = job.refresh().await().atMost(Duration.ofSeconds(60));
        assertEquals(refreshesBefore + 1, timer.count(), "each refresh is timed");
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(value(metrics, "flotilla_monitoring_refresh_seconds_count{outcome=\"success\"}") >= 1);

        double total = value(metrics, "flotilla_tenants_size_bytes");
        double largest = value(metrics, "flotilla_tenants_largest_size_bytes");
        double unused = value(metrics, "flotilla_tenants_indexes_unused");
        assertEquals(snapshot.tenantBytes(), (long) total);
        assertEquals(snapshot.largestTenantBytes(), (long) largest);
        assertEquals(snapshot.unusedIndexes(), (long) unused);
        long schemaBytes = Sql.count(ds, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'm')", schema);
        assertTrue(schemaBytes > 100_000, "2000 rows and two indexes: " + schemaBytes);
        // From statistics: tables, indexes and TOAST, not the free-space and visibility maps nor TOAST indexes.
        assertTrue(largest >= schemaBytes * 0.8, largest + " < 0.8 × " + schemaBytes);
        assertTrue(total >= largest);
        assertTrue(unused >= 1, "the fresh index and the sample catalog's plain indexes are unscanned");

        // One series per state of a fixed set, whatever the number of tenants; the refresh itself was active.
        List<String> series = metrics.lines().filter(l -> l.startsWith("flotilla_db_connections{")).toList();
        assertEquals(ConnectionState.values().length, series.size(), series.toString());
        assertTrue(value(metrics, "flotilla_db_connections{state=\"active\"}") >= 1, series.toString());
        assertTrue(metrics.contains("flotilla_db_connections{state=\"idle_in_transaction\"}"), series.toString());
        // The whole family stays small: no tenant-named series.
        assertTrue(metrics.lines().filter(l -> l.startsWith("flotilla_tenants_")).count() <= 3);
    }

    /** The sample value of one series, by its name with or without labels. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + "(\\{[^}]*\\})? (\\S+)", Pattern.MULTILINE)
                .matcher(metrics);
        assertTrue(m.find(), series + " not in\n" + metrics);
        return Double.parseDouble(m.group(2));
    }
}
