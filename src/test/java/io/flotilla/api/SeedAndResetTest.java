package io.flotilla.api;

import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.sql.TenantExecutor;
import io.flotilla.security.Role;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeding a company's schema with the sample catalog's test data, and resetting it, over HTTP on a real PostgreSQL. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SeedAndResetTest {

    static final List<String> VERSIONS = List.of("1", "2", "3", "4", "5", "6", "7");
    static final String PROBLEM = "application/problem+json";
    static final String TENANT = "0a0a0a0a-0000-4000-8000-000000000042";

    @Inject
    DataSource ds;

    static String onboard(String schema, Map<String, Object> settings) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("companyName", "Co " + schema, "schemaName", schema, "settings", settings))
                .when().post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    static Response seed(String id, String token, String body) {
        var request = given().header("Authorization", "Bearer " + token);
        if (body != null) {
            request.contentType(ContentType.JSON).body(body);
        }
        return request.when().post("/api/v1/companies/{id}/seed", id);
    }

    static Response reset(String id, String token, Map<String, Object> body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/companies/{id}/reset", id);
    }

    static String operator() {
        return TestTokens.token(Role.OPERATOR);
    }

    static String admin() {
        return TestTokens.token(Role.ADMIN);
    }

    long rows(String schema, String table) {
        return Sql.count(ds, "SELECT count(*) FROM " + TenantExecutor.quoteIdent(schema) + "." + table);
    }

    long ledgerRows(String id) {
        return Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ?::uuid", id);
    }

    /** A row the reset must drop (as superuser, which row-level security does not restrict). */
    void insertConversation(String schema) {
        Sql.execute(ds, "INSERT INTO " + TenantExecutor.quoteIdent(schema) + ".conversations (tenant_id, title)"
                + " VALUES (gen_random_uuid(), 'before the reset')");
    }

    @Test
    void seedLandsTheSampleRowsWithTheCompanysValuesAndAgainAddsNothing() {
        String schema = Sql.unique("seeded");
        String id = onboard(schema, Map.of("tenant_id", TENANT));
        long ledger = ledgerRows(id);

        seed(id, operator(), null).then().statusCode(200)
                .body("companyId", equalTo(id))
                .body("schemaName", equalTo(schema))
                .body("files", equalTo(List.of("001_sample_data.sql")))
                .body("durationMs", greaterThanOrEqualTo(0));
        Map<String, Long> expected = Map.of("ai_config", 1L, "conversations", 2L, "messages", 5L, "feedback", 1L,
                "usage_metrics", 2L, "conversation_daily_stats", 2L);
        expected.forEach((table, n) -> assertEquals(n, rows(schema, table), table));
        // ${tenant_id} came from the company's settings, not the file's default.
        assertEquals(List.of(TENANT), Sql.column(ds, "SELECT DISTINCT tenant_id::text FROM "
                + TenantExecutor.quoteIdent(schema) + ".messages"));

        // The sample seed says ON CONFLICT DO NOTHING: seeding again adds nothing. The body is optional (a generated
        // client sends JSON null for none).
        seed(id, operator(), "{\"force\": false}").then().statusCode(200).body("files", hasSize(1));
        seed(id, operator(), "null").then().statusCode(200);
        expected.forEach((table, n) -> assertEquals(n, rows(schema, table), table));
        assertEquals(ledger, ledgerRows(id), "seeds are not migrations: the ledger is untouched");

        seed(id, TestTokens.token(Role.VIEWER), null).then().statusCode(403).contentType(PROBLEM);
        seed(id, operator(), "{\"forse\": true}").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("forse"));
    }

    @Test
    void aProductionCompanyIsSeededAndResetOnlyWhenForced() {
        String schema = Sql.unique("prod");
        String id = onboard(schema, Map.of("production", true));
        seed(id, operator(), null).then().statusCode(409).contentType(PROBLEM)
                .body("type", equalTo("urn:flotilla:problem:production-company"))
                .body("detail", containsString("force"));
        assertEquals(0, rows(schema, "conversations"));
        seed(id, operator(), "{\"force\": true}").then().statusCode(200);
        assertEquals(2, rows(schema, "conversations"));

        String other = Sql.unique("live");
        String otherId = onboard(other, Map.of("environment", "production"));
        insertConversation(other);
        long ledger = ledgerRows(otherId);
        reset(otherId, admin(), Map.of("confirm", other)).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:production-company"));
        assertEquals(1, rows(other, "conversations"));
        assertEquals(ledger, ledgerRows(otherId));
        reset(otherId, admin(), Map.of("confirm", other, "force", true)).then().statusCode(200)
                .body("applied", equalTo(VERSIONS));
        assertEquals(0, rows(other, "conversations"));
    }

    @Test
    void resetIsForAdminsWithTheSchemaNameAndRebuildsTheSchemaWithEveryStepInTheLedger() {
        String schema = Sql.unique("reset");
        String id = onboard(schema, Map.of());
        insertConversation(schema);
        long ledger = ledgerRows(id);

        reset(id, operator(), Map.of("confirm", schema)).then().statusCode(403).contentType(PROBLEM);
        reset(id, admin(), Map.of("confirm", schema + "_x")).then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:flotilla:problem:confirmation-mismatch"));
        reset(id, admin(), Map.of("confirm", schema.toUpperCase())).then().statusCode(400);
        reset(id, admin(), Map.of("force", true)).then().statusCode(400).body("detail", containsString("confirm"));
        assertEquals(1, rows(schema, "conversations"), "a refused reset changes nothing");
        assertEquals(ledger, ledgerRows(id));

        Response done = reset(id, admin(), Map.of("confirm", schema));
        done.then().statusCode(200)
                .body("companyId", equalTo(id))
                .body("schemaName", equalTo(schema))
                .body("runId", notNullValue())
                .body("droppedVersions", equalTo(VERSIONS))
                .body("applied", equalTo(VERSIONS));
        String runId = done.path("runId");

        assertEquals(0, rows(schema, "conversations"), "the row went with the schema");
        assertEquals(CompanyResourceTest.SAMPLE_TABLES, Sql.tables(ds, schema));
        // One down row per version dropped, with the checksum it was applied with, then the re-apply, in one run.
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger d WHERE d.run_id = ?::uuid"
                + " AND d.direction = 'down' AND d.status = 'rolled_back' AND d.script = 'reset: schema dropped'"
                + " AND d.executed_by IS NOT NULL AND d.finished_at IS NOT NULL AND d.checksum = (SELECT a.checksum"
                + " FROM public.migration_ledger a WHERE a.company_id = d.company_id AND a.version_key = d.version_key"
                + " AND a.status = 'applied' AND a.run_id <> d.run_id)", runId));
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND direction = 'up' AND status = 'applied'", runId));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger u JOIN public.migration_ledger d"
                + " ON d.run_id = u.run_id AND d.direction = 'down' WHERE u.run_id = ?::uuid AND u.direction = 'up'"
                + " AND u.id < d.id", runId), "every version is dropped before any is applied again");
        assertEquals(ledger + 14, ledgerRows(id));
        assertEquals(7, Sql.count(ds, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid"
                + " AND applied AND NOT failed", id));
        given().when().get("/api/v1/companies/{id}/migrations", id).then().statusCode(200)
                .body("$", hasSize(7)).body("state", everyItem(equalTo("applied")));

        // The freshly reset schema takes the seeds like any other.
        seed(id, operator(), null).then().statusCode(200);
        assertEquals(2, rows(schema, "conversations"));
    }

    @Test
    void resetWaitsForTheSchemaLockAndGivesUpWithSchemaBusy() throws Exception {
        String schema = Sql.unique("busy");
        String id = onboard(schema, Map.of());
        insertConversation(schema);
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('" + schema + "'))");
            reset(id, admin(), Map.of("confirm", schema)).then().statusCode(409).contentType(PROBLEM)
                    .body("type", equalTo("urn:flotilla:problem:schema-busy"));
            seed(id, operator(), null).then().statusCode(409).body("type", equalTo("urn:flotilla:problem:schema-busy"));
            st.execute("SELECT pg_advisory_unlock_all()");
        }
        assertEquals(1, rows(schema, "conversations"));
        assertEquals(7, ledgerRows(id));
    }

    @Test
    void resetGivesUpWithSchemaBusyWhenAnotherSessionHoldsATableLock() throws Exception {
        String schema = Sql.unique("tlock");
        String id = onboard(schema, Map.of());
        insertConversation(schema);
        // An open transaction that read a tenant table: DROP SCHEMA would wait for it forever without lock_timeout.
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT count(*) FROM " + schema + ".conversations");
            reset(id, admin(), Map.of("confirm", schema)).then().statusCode(409).contentType(PROBLEM)
                    .body("type", equalTo("urn:flotilla:problem:schema-busy"))
                    .body("detail", containsString("was not dropped"));
            holder.rollback();
        }
        assertEquals(1, rows(schema, "conversations"));
        assertEquals(7, ledgerRows(id));
        // The schema lock was given back: the next reset goes through.
        reset(id, admin(), Map.of("confirm", schema)).then().statusCode(200);
        assertEquals(0, rows(schema, "conversations"));
    }

    @Test
    void resetIsRefusedWhileTheCompanyIsInAnUnfinishedRollout() {
        String schema = Sql.unique("inroll");
        String id = onboard(schema, Map.of());
        insertConversation(schema);
        // A paused rollout holding the company: no worker touches it, and its target stays active until it ends.
        String rollout = Sql.column(ds, "INSERT INTO public.rollouts (direction, state, max_parallel, max_failures,"
                + " total_targets, waves, request) VALUES ('up', 'paused', 1, 0, 1, 1, '{}') RETURNING id::text").get(0);
        try {
            Sql.execute(ds, "INSERT INTO public.rollout_targets (rollout_id, company_id, schema_name, wave, position,"
                    + " status) VALUES (?::uuid, ?::uuid, ?, 0, 0, 'pending')", rollout, id, schema);
            reset(id, admin(), Map.of("confirm", schema, "force", true)).then().statusCode(409).contentType(PROBLEM)
                    .body("type", equalTo("urn:flotilla:problem:company-in-rollout"))
                    .body("rolloutId", equalTo(rollout));
            assertEquals(1, rows(schema, "conversations"));
            assertEquals(7, ledgerRows(id));
        } finally {
            Sql.execute(ds, "DELETE FROM public.rollouts WHERE id = ?::uuid", rollout);
        }
        reset(id, admin(), Map.of("confirm", schema)).then().statusCode(200);
    }

    @Test
    void unknownDeletedAndSchemaLessCompaniesAreRefusedAsElsewhere() {
        String unknown = "00000000-0000-0000-0000-000000000000";
        seed(unknown, operator(), null).then().statusCode(404).body("type", equalTo("urn:flotilla:problem:company-not-found"));
        reset(unknown, admin(), Map.of("confirm", "x")).then().statusCode(404);
        seed("not-a-uuid", operator(), null).then().statusCode(400);

        String gone = Sql.unique("gone");
        String goneId = onboard(gone, Map.of());
        given().when().delete("/api/v1/companies/{id}", goneId).then().statusCode(200);
        seed(goneId, operator(), null).then().statusCode(409).body("type", equalTo("urn:flotilla:problem:company-not-active"));
        reset(goneId, admin(), Map.of("confirm", gone)).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:company-not-active"));
        assertTrue(Sql.schemaExists(ds, gone));

        String dropped = Sql.unique("dropped");
        String droppedId = onboard(dropped, Map.of());
        Sql.execute(ds, "DROP SCHEMA " + dropped + " CASCADE");
        seed(droppedId, operator(), null).then().statusCode(409).body("type", equalTo("urn:flotilla:problem:schema-missing"));
        reset(droppedId, admin(), Map.of("confirm", dropped)).then().statusCode(409)
                .body("type", equalTo("urn:flotilla:problem:schema-missing"));
        assertEquals(7, ledgerRows(droppedId), "nothing recorded for a schema that is not there");
    }
}
