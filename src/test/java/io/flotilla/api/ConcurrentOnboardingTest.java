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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parallel HTTP calls on one schema: one onboarding wins, and each version is applied once. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ConcurrentOnboardingTest {

    @Inject
    DataSource ds;

    <T> List<T> together(int n, Supplier<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<T>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return call.get();
                }, pool));
            }
            start.countDown();
            return futures.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void twoOnboardingsOfOneSchemaCreateOneCompany() throws Exception {
        String schema = Sql.unique("twin");
        List<Integer> statuses = together(2, () -> given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Twin " + schema, "schemaName", schema))
                .post("/api/v1/companies").statusCode());
        assertEquals(List.of(201, 409), statuses.stream().sorted().toList());
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema));
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE schema_name = ?", schema));
    }

    @Test
    void concurrentMigrateCallsApplyEachVersionOnce() throws Exception {
        String schema = Sql.unique("para");
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Para " + schema, "schemaName", schema, "status", "inactive"))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
        given().contentType(ContentType.JSON).body(Map.of("status", "active")).patch("/api/v1/companies/{id}", id)
                .then().statusCode(200);

        List<Integer> applied = together(4, () -> given().post("/api/v1/companies/{id}/migrate", id)
                .then().statusCode(200).extract().<List<String>>path("applied").size());
        assertEquals(7, applied.stream().mapToInt(Integer::intValue).sum());
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id));
        assertEquals(7, Sql.count(ds, "SELECT count(DISTINCT version) FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND status = 'applied'", id));
    }
}
