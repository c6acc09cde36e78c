package io.flotilla.monitoring;

import io.flotilla.it.Poll;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitoring endpoints against a real PostgreSQL, on tenants onboarded over HTTP. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class MonitoringResourceTest {

    /** What the sample catalog creates in every schema: five tables and one materialized view. */
    static final List<String> RELATIONS = List.of("ai_config", "conversation_daily_stats", "conversations", "feedback",
            "messages", "usage_metrics");

    @Inject
    DataSource ds;

    /** One company whose conversations hold rows and one left empty; onboarded once for the class. */
    static String filledId;
    static String filledSchema;
    static String emptyId;
    static String emptySchema;

    static String onboard(String schema) {
        return given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .when().post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    @BeforeEach
    void twoCompanies() {
        if (filledId != null) {
            return;
        }
        filledSchema = Sql.unique("mon_full");
        filledId = onboard(filledSchema);
        emptySchema = Sql.unique("mon_empty");
        emptyId = onboard(emptySchema);
        Sql.execute(ds, "INSERT INTO " + filledSchema + ".conversations (tenant_id, title)"
                + " SELECT gen_random_uuid(), repeat('a long conversation title ', 8) || g FROM generate_series(1, 5000) g");
    }

    static List<Map<String, Object>> items(Response response) {
        return response.then().statusCode(200).extract().jsonPath().getList("items");
    }

    static Response tables(Map<String, ?> params) {
        return given().queryParams(params).when().get("/api/v1/monitoring/tables");
    }

    static Response indexes(Map<String, ?> params) {
        return given().queryParams(params).when().get("/api/v1/monitoring/indexes");
    }

    static long bytes(Map<String, Object> item, String field) {
        return ((Number) item.get(field)).longValue();
    }

    static Map<String, Object> named(List<Map<String, Object>> items, String field, String name) {
        return items.stream().filter(i -> name.equals(i.get(field))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + items));
    }

    @Test
    void tablesListEveryTenantRelationWithItsSizesLargestFirst() {
        Map<String, Map<String, Object>> conversations = new HashMap<>();
        for (String[] company : List.of(new String[]{filledId, filledSchema}, new String[]{emptyId, emptySchema})) {
            Response response = tables(Map.of("companyId", company[0], "size", 500));
            response.then().statusCode(200).body("total", equalTo(RELATIONS.size())).body("page", equalTo(0))
                    .body("size", equalTo(500));
            List<Map<String, Object>> items = items(response);
            assertEquals(RELATIONS, items.stream().map(i -> (String) i.get("tableName")).sorted().toList());
            for (Map<String, Object> item : items) {
                assertEquals(company[0], item.get("companyId"));
                assertEquals(company[1], item.get("schemaName"));
                assertEquals("Co " + company[1], item.get("companyName"));
                // Even an empty table has index pages (and a TOAST index), so every total is above zero.
                assertTrue(bytes(item, "totalBytes") > 0, item.toString());
                assertTrue(bytes(item, "totalBytes") >= bytes(item, "tableBytes") + bytes(item, "indexBytes"),
                        item.toString());
                assertEquals(item.get("tableName").equals("conversation_daily_stats") ? "materialized_view" : "table",
                        item.get("kind"));
            }
            for (int i = 1; i < items.size(); i++) {
                assertTrue(bytes(items.get(i - 1), "totalBytes") >= bytes(items.get(i), "totalBytes"), items.toString());
            }
            conversations.put(company[0], named(items, "tableName", "conversations"));
        }
        Map<String, Object> filled = conversations.get(filledId);
        Map<String, Object> empty = conversations.get(emptyId);
        assertTrue(bytes(filled, "totalBytes") > bytes(empty, "totalBytes"), filled + " vs " + empty);
        assertTrue(bytes(filled, "tableBytes") > 0);
        assertEquals(0, bytes(empty, "tableBytes"));
        assertTrue(bytes(filled, "indexBytes") > bytes(empty, "indexBytes"));
    }

    @Test
    void tablesWithoutFilterCoverEveryLiveCompanyInOneSortedList() {
        long expected = Sql.count(ds, "SELECT count(*) FROM public.companies co"
                + " JOIN pg_namespace n ON n.nspname = co.schema_name"
                + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm') WHERE co.deleted_at IS NULL");
        Response response = tables(Map.of("size", 500));
        int total = response.then().statusCode(200).extract().path("total");
        assertEquals(expected, total);
        assertTrue(total >= 2L * RELATIONS.size());
        List<Map<String, Object>> items = items(response);
        assertEquals(Math.min(total, 500), items.size());
        for (int i = 1; i < items.size(); i++) {
            assertTrue(bytes(items.get(i - 1), "totalBytes") >= bytes(items.get(i), "totalBytes"));
        }
    }

    @Test
    void tablesArePaginatedWithAConsistentTotal() {
        List<Map<String, Object>> all = items(tables(Map.of("companyId", filledId, "size", 500)));
        Response second = tables(Map.of("companyId", filledId, "size", 1, "page", 1));
        second.then().statusCode(200).body("items", hasSize(1)).body("page", equalTo(1)).body("size", equalTo(1))
                .body("total", equalTo(RELATIONS.size()));
        assertEquals(all.get(1).get("tableName"), items(second).get(0).get("tableName"));
        tables(Map.of("companyId", filledId, "size", 4, "page", 1)).then().statusCode(200)
                .body("items", hasSize(2)).body("total", equalTo(RELATIONS.size()));
        // Past the last page: no rows, and the total still comes back from the same single query.
        tables(Map.of("companyId", filledId, "size", 1, "page", 100)).then().statusCode(200)
                .body("items", hasSize(0)).body("total", equalTo(RELATIONS.size()));
    }

    @Test
    void deletedCompaniesAndUnknownIdsHaveNothingToShow() {
        String schema = Sql.unique("mon_gone");
        String id = onboard(schema);
        tables(Map.of("companyId", id)).then().statusCode(200).body("total", equalTo(RELATIONS.size()));
        given().when().delete("/api/v1/companies/{id}", id).then().statusCode(200);
        tables(Map.of("companyId", id)).then().statusCode(200).body("items", hasSize(0)).body("total", equalTo(0));
        indexes(Map.of("companyId", id)).then().statusCode(200).body("items", hasSize(0)).body("total", equalTo(0));
        tables(Map.of("companyId", "00000000-0000-0000-0000-000000000000")).then().statusCode(200)
                .body("total", equalTo(0));
    }

    @Test
    void constraintIndexesAreNeverFlaggedAndPlainOnesAreUntilScanned() {
        List<Map<String, Object>> empty = items(indexes(Map.of("companyId", emptyId, "size", 500)));
        assertTrue(empty.size() >= 10, empty.toString());
        for (Map<String, Object> index : empty) {
            assertEquals(emptySchema, index.get("schemaName"));
            assertTrue(bytes(index, "sizeBytes") > 0, index.toString());
            boolean constraint = (Boolean) index.get("unique") || (Boolean) index.get("primary");
            // Nothing reads this tenant: every index is unscanned, yet only the plain ones are flagged.
            assertEquals(0, bytes(index, "idxScan"), index.toString());
            assertEquals(!constraint, index.get("neverUsed"), index.toString());
        }
        Map<String, Object> pkey = named(empty, "indexName", "conversations_pkey");
        assertEquals(true, pkey.get("primary"));
        assertEquals(true, pkey.get("unique"));
        assertEquals("conversations", pkey.get("tableName"));
        Map<String, Object> viewKey = named(empty, "indexName", "conversation_daily_stats_tenant_day_key");
        assertEquals(true, viewKey.get("unique"));
        assertEquals(false, viewKey.get("primary"));
        assertEquals(false, viewKey.get("neverUsed"));
        assertEquals(true, named(empty, "indexName", "conversations_tenant_created_idx").get("neverUsed"));
    }

    @Test
    void aFreshIndexIsNeverUsedUntilAQueryScansIt() throws Exception {
        String index = Sql.unique("conv_title_idx");
        Sql.execute(ds, "CREATE INDEX " + index + " ON " + filledSchema + ".conversations (title)");
        Map<String, Object> fresh = named(items(indexes(Map.of("companyId", filledId, "unusedOnly", true, "size", 500))),
                "indexName", index);
        assertEquals(true, fresh.get("neverUsed"));
        assertEquals(0, bytes(fresh, "idxScan"));
        assertEquals(false, fresh.get("unique"));
        assertEquals("conversations", fresh.get("tableName"));
        assertTrue(bytes(fresh, "sizeBytes") > 0);

        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL enable_seqscan = off");
            st.executeQuery("SELECT count(*) FROM " + filledSchema + ".conversations WHERE title = 'none'").close();
            c.commit();
            c.setAutoCommit(true);
            // Statistics reach the views asynchronously. PostgreSQL 14 sends a backend's counters only when a
            // later transaction ends, so each probe ends one on this same session before asking the API.
            Map<String, Object> used = Poll.until("idx_scan > 0 for " + index, Duration.ofSeconds(30), () -> {
                nudge(st);
                return findIndex(filledId, index, false).orElse(null);
            }, i -> bytes(i, "idxScan") > 0, i -> "");
            assertEquals(false, used.get("neverUsed"));
        }
        assertTrue(findIndex(filledId, index, true).isEmpty(), "a scanned index is not in unusedOnly");
    }

    private static void nudge(Statement st) throws SQLException {
        st.execute("SELECT 1");
    }

    private static Optional<Map<String, Object>> findIndex(String companyId, String index, boolean unusedOnly) {
        return items(indexes(Map.of("companyId", companyId, "unusedOnly", unusedOnly, "size", 500))).stream()
                .filter(i -> index.equals(i.get("indexName"))).findFirst();
    }

    @Test
    void indexesArePaginated() {
        int total = indexes(Map.of("companyId", emptyId, "size", 1)).then().statusCode(200)
                .body("items", hasSize(1)).extract().path("total");
        List<Map<String, Object>> all = items(indexes(Map.of("companyId", emptyId, "size", 500)));
        assertEquals(all.size(), total);
        assertEquals(all.get(1).get("indexName"),
                items(indexes(Map.of("companyId", emptyId, "size", 1, "page", 1))).get(0).get("indexName"));
        int unused = indexes(Map.of("companyId", emptyId, "unusedOnly", true)).then().statusCode(200)
                .extract().path("total");
        assertEquals(all.stream().filter(i -> (Boolean) i.get("neverUsed")).count(), unused);
    }

    @Test
    void connectionsGroupSessionsByStateAndApplication() throws Exception {
        String app = Sql.unique("mon_app");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // SET LOCAL: the pooled session gets its own name back when the transaction ends.
            st.execute("SET LOCAL application_name = '" + app + "'");
            Response response = given().when().get("/api/v1/monitoring/connections");
            response.then().statusCode(200);
            List<Map<String, Object>> groups = response.jsonPath().getList("groups");
            Map<String, Object> stuck = named(groups, "applicationName", app);
            assertEquals("idle in transaction", stuck.get("state"));
            assertEquals(1, stuck.get("connections"));
            assertEquals(0, stuck.get("waitingOnLock"));
            assertNotNull(stuck.get("oldestTransactionStart"));
            assertTrue(((Number) stuck.get("oldestTransactionSeconds")).doubleValue() >= 0, stuck.toString());
            assertTrue(((Number) stuck.get("oldestQuerySeconds")).doubleValue() >= 0, stuck.toString());
            // The request itself runs on Flotilla's pool, which names its sessions.
            Map<String, Object> flotilla = groups.stream()
                    .filter(g -> "flotilla".equals(g.get("applicationName")) && "active".equals(g.get("state")))
                    .findFirst().orElseThrow(() -> new AssertionError(groups.toString()));
            assertTrue(((Number) flotilla.get("connections")).longValue() >= 1);
            long sum = groups.stream().mapToLong(g -> ((Number) g.get("connections")).longValue()).sum();
            assertEquals(sum, ((Number) response.path("total")).longValue());
            assertTrue(((Number) response.path("maxConnections")).intValue() > 0);
            c.rollback();
        }
        List<String> apps = given().when().get("/api/v1/monitoring/connections").then().statusCode(200)
                .extract().jsonPath().getList("groups.applicationName");
        assertFalse(apps.contains(app), "the name went with the transaction");
    }

    @Test
    void badParametersAre400Problems() {
        for (Map<String, String> params : List.of(Map.of("companyId", "not-a-uuid"), Map.of("size", "0"),
                Map.of("size", "501"), Map.of("page", "-1"), Map.of("size", "lots"))) {
            String name = params.keySet().iterator().next();
            tables(params).then().statusCode(400).contentType("application/problem+json")
                    .body("status", equalTo(400)).body("detail", containsString(name));
            indexes(params).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString(name));
        }
        indexes(Map.of("unusedOnly", "maybe")).then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("unusedOnly"));
    }
}
