package io.flotilla.adoption;

import io.flotilla.adoption.FleetAdoptionService.DryRun;
import io.flotilla.adoption.FleetAdoptionService.FleetRequest;
import io.flotilla.adoption.FleetAdoptionService.Item;
import io.flotilla.adoption.FleetAdoptionService.Job;
import io.flotilla.adoption.FleetAdoptionService.Outcome;
import io.flotilla.adoption.FleetAdoptionService.Result;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fleet on a server of its own, migrated by real Flyway: 20 schemas at version 2, 6 at version 1, one whose history
 * has a failed row, one with a table no version builds, one with golang-migrate's dirty table and one with no history
 * at all. Discovery finds the five kinds in one pass; a dry run decides them all, records nothing and builds the
 * expected shape once per version set (2 builds for 29 schemas); the job adopts the same and no more; a second job
 * finds only what was refused, and a listed adopted schema is already-adopted.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class FleetAdoptionTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final String PASSWORD = "pw-fleet-" + UUID.randomUUID();
    static final String NAME = Sql.unique("fleetsrv");

    static ExtraServers extra;
    static Path files;

    @Inject
    FleetAdoptionService fleet;
    @Inject
    DataSource ds;

    @BeforeAll
    static void start() throws IOException {
        TestTokens.useAdminByDefault();
        extra = ExtraServers.start(PASSWORD);
        files = Files.createTempDirectory("fleet-catalog");
        Files.writeString(files.resolve("V1__post.sql"), AdoptionTest.V1);
        Files.writeString(files.resolve("V2__comment.sql"), AdoptionTest.V2);
    }

    @AfterAll
    static void stop() {
        DataSource home = Arc.container().instance(DataSource.class).get();
        Sql.execute(home, "DELETE FROM public.adoptions WHERE server = ?", NAME);
        Sql.execute(home, "DELETE FROM public.adoption_jobs WHERE server = ?", NAME);
        ExtraServers.forget(home, NAME);
        if (extra != null) {
            extra.close();
        }
    }

    @Test
    void aFleetIsDiscoveredDryRunAndAdoptedWithOneScratchBuildPerVersionSet() throws SQLException {
        given().contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1", "port", extra.port(0),
                        "database", ExtraServers.DATABASE, "user", ExtraServers.USER, "connectionBudget", 12,
                        "passwordFrom", Map.of("file", extra.passwordFile(0).toString())))
                .when().post("/api/v1/servers").then().log().ifValidationFails().statusCode(201);
        List<String> atTwo = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            atTwo.add(flyway("fleet_two_" + i, "2"));
        }
        List<String> atOne = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            atOne.add(flyway("fleet_one_" + i, "1"));
        }
        String failed = flyway("fleet_failed", "2");
        String drifted = flyway("fleet_drifted", "2");
        execute("UPDATE fleet_failed.flyway_schema_history SET success = false WHERE version = '2';"
                + " CREATE TABLE fleet_drifted.audit (id bigint PRIMARY KEY);"
                + " CREATE SCHEMA fleet_golang; CREATE TABLE fleet_golang.schema_migrations (version bigint PRIMARY KEY,"
                + " dirty boolean NOT NULL); INSERT INTO fleet_golang.schema_migrations VALUES (2, true);"
                + " CREATE SCHEMA fleet_plain; CREATE TABLE fleet_plain.t (id int)");
        String historyBefore = extra.column(0, "SELECT md5(string_agg(t::text, ',' ORDER BY t::text))"
                + " FROM fleet_two_0.flyway_schema_history t").get(0);

        // Discovery: every schema with a history table, none without; the tool, latest version, dirty flag, count.
        JsonPath found = given().when().get("/api/v1/servers/" + NAME + "/discover")
                .then().log().ifValidationFails().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> bySchema = found.<Map<String, Object>>getList("").stream()
                .collect(Collectors.toMap(m -> (String) m.get("schemaName"), m -> m));
        assertEquals(29, bySchema.size(), bySchema.keySet().toString());
        assertEquals("flyway", bySchema.get("fleet_two_3").get("tool"));
        assertEquals("2", bySchema.get("fleet_two_3").get("latestVersion"));
        assertEquals(2, bySchema.get("fleet_two_3").get("applied"));
        assertEquals(false, bySchema.get("fleet_two_3").get("dirty"));
        assertEquals("1", bySchema.get("fleet_one_0").get("latestVersion"));
        assertEquals(true, bySchema.get(failed).get("dirty"));
        assertEquals("golang-migrate", bySchema.get("fleet_golang").get("tool"));
        assertEquals(true, bySchema.get("fleet_golang").get("dirty"));
        given().when().get("/api/v1/servers/no_such_server/discover").then().statusCode(404)
                .body("type", org.hamcrest.Matchers.equalTo("urn:flotilla:problem:server-not-found"));

        // Dry run: everything decided, nothing recorded, one scratch build per distinct version set.
        MigrationCatalog catalog = MigrationResolver.resolve(files, true).orThrow();
        FleetRequest all = new FleetRequest(NAME, null, true, false, null, 4);
        DryRun dry = fleet.dryRun(all, catalog).await().atMost(WAIT);
        assertEquals(29, dry.total());
        Map<String, Result> decided = bySchema(dry.results());
        assertEquals(26, count(dry.results(), Outcome.ADOPTED), dry.results().toString());
        assertEquals(Outcome.REFUSED, decided.get(failed).outcome());
        assertEquals(Refusal.Reason.FAILED_STEP, decided.get(failed).refusals().get(0).reason());
        assertEquals(Refusal.Reason.SHAPE_DIFFERS, decided.get(drifted).refusals().get(0).reason());
        assertEquals(Refusal.Reason.NO_HISTORY, decided.get("fleet_golang").refusals().get(0).reason());
        assertEquals(2, decided.get("fleet_two_7").versions());
        assertEquals(2, dry.scratchBuilds(), "one build for {1, 2}, one for {1}");
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAME));
        assertEquals(List.of("0"), extra.column(0, "SELECT count(*) FROM public.migration_ledger"));

        // The job: the same decisions, recorded; the other tool's table untouched.
        Job started = fleet.start(all, catalog).await().atMost(WAIT);
        assertEquals(29, started.total());
        Job job = await(started.id());
        assertEquals(26, count(job.results(), Outcome.ADOPTED), job.results().toString());
        assertEquals(3, count(job.results(), Outcome.REFUSED));
        assertEquals(2, job.scratchBuilds());
        assertEquals(26, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE server = ?", NAME));
        assertEquals(List.of("46"), extra.column(0, "SELECT count(*) FROM public.migration_ledger"
                + " WHERE status = 'adopted'"));
        UUID two = bySchema(job.results()).get("fleet_two_0").companyId();
        assertNotNull(two);
        assertEquals(List.of("fleet_two_0"), Sql.column(ds, "SELECT company_name FROM public.companies WHERE id = ?",
                two));
        assertEquals(historyBefore, extra.column(0, "SELECT md5(string_agg(t::text, ',' ORDER BY t::text))"
                + " FROM fleet_two_0.flyway_schema_history t").get(0));
        JsonPath migrations = given().when().get("/api/v1/companies/" + two + "/migrations").then()
                .log().ifValidationFails().statusCode(200).extract().jsonPath();
        // The service's own catalog (versions 1 to 7) is the view's: 1 and 2 adopted, the rest pending.
        assertEquals(List.of("1", "2", "3"), migrations.getList("version").subList(0, 3));
        assertEquals(List.of("applied", "applied", "pending"), migrations.getList("state").subList(0, 3));
        assertEquals(List.of(true, true, false), migrations.getList("adopted").subList(0, 3),
                "shown as adopted in the migrations view");
        JsonPath view = given().when().get("/api/v1/adoptions/" + job.id()).then().log().ifValidationFails()
                .statusCode(200).extract().jsonPath();
        assertEquals("finished", view.getString("state"));
        assertEquals(29, view.getInt("done"));
        assertEquals(26, view.getInt("adopted"));
        assertEquals(3, view.getInt("refused"));

        // Again: discovery lists only what was refused; a listed adopted schema is left alone.
        Job again = await(fleet.start(all, catalog).await().atMost(WAIT).id());
        assertEquals(3, again.total());
        assertEquals(3, count(again.results(), Outcome.REFUSED));
        Job listed = await(fleet.start(new FleetRequest(NAME, List.of(new Item("fleet_two_0", null, null, null, null,
                null), new Item("fleet_one_0", "Renamed", null, null, null, null)), false, false, null, 2), catalog)
                .await().atMost(WAIT).id());
        assertEquals(List.of(Outcome.ALREADY_ADOPTED, Outcome.ALREADY_ADOPTED),
                listed.results().stream().map(Result::outcome).toList());
        assertEquals(List.of("46"), extra.column(0, "SELECT count(*) FROM public.migration_ledger"));
    }

    @Test
    void theApiRefusesBadRequestsAndAnswers202WithAJobToFollow() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of(),
                Map.of("all", true, "schemas", List.of(Map.of("schemaName", "x"))),
                Map.of("all", true, "maxParallel", 0),
                Map.of("schemas", List.of(Map.of("schemaName", "x"), Map.of("schemaName", "x"))),
                Map.of("schemas", List.of(Map.of("companyName", "x"))))) {
            given().contentType(ContentType.JSON).body(bad).when().post("/api/v1/companies/adopt")
                    .then().log().ifValidationFails().statusCode(400)
                    .body("type", org.hamcrest.Matchers.equalTo("urn:flotilla:problem:invalid-request"));
        }
        given().contentType(ContentType.JSON).body(Map.of("server", "no_such_server", "all", true))
                .when().post("/api/v1/companies/adopt").then().statusCode(400)
                .body("type", org.hamcrest.Matchers.equalTo("urn:flotilla:problem:server-unknown"));
        given().when().get("/api/v1/adoptions/" + UUID.randomUUID()).then().statusCode(404)
                .body("type", org.hamcrest.Matchers.equalTo("urn:flotilla:problem:adoption-job-not-found"));
        given().when().get("/api/v1/adoptions/not-a-uuid").then().statusCode(400);

        String missing = Sql.unique("fleet_missing");
        Map<String, Object> body = Map.of("schemas", List.of(Map.of("schemaName", missing)));
        JsonPath dry = given().contentType(ContentType.JSON).body(Map.of("schemas", body.get("schemas"), "dryRun", true))
                .when().post("/api/v1/companies/adopt").then().log().ifValidationFails().statusCode(200)
                .extract().jsonPath();
        assertTrue(dry.getBoolean("dryRun"));
        assertEquals("failed", dry.getString("results[0].outcome"));
        assertEquals("schema-missing", dry.getString("results[0].errorCode"));
        String location = given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies/adopt")
                .then().log().ifValidationFails().statusCode(202).extract().header("Location");
        assertTrue(location.startsWith("/api/v1/adoptions/") || location.contains("/api/v1/adoptions/"), location);
        String path = location.substring(location.indexOf("/api/v1/adoptions/"));
        Await.until("the job to finish", () -> !"running".equals(given().when().get(path).then().statusCode(200)
                .extract().jsonPath().getString("state")));
        JsonPath job = given().when().get(path).then().statusCode(200).extract().jsonPath();
        assertEquals("finished", job.getString("state"));
        assertEquals(1, job.getInt("failed"));
        assertEquals(missing, job.getString("results[0].schemaName"));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", missing));
    }

    private Job await(UUID id) {
        Await.until("adoption job " + id + " to finish",
                () -> !"running".equals(fleet.get(id).await().atMost(WAIT).state()));
        Job job = fleet.get(id).await().atMost(WAIT);
        assertEquals("finished", job.state(), job.error());
        assertEquals(job.total(), job.results().size());
        return job;
    }

    private static Map<String, Result> bySchema(List<Result> results) {
        return results.stream().collect(Collectors.toMap(Result::schemaName, r -> r));
    }

    private static long count(List<Result> results, Outcome outcome) {
        return results.stream().filter(r -> r.outcome() == outcome).count();
    }

    /** A schema migrated by Flyway itself, up to {@code target}. */
    private static String flyway(String schema, String target) {
        Flyway.configure().dataSource(ExtraServers.url(extra.port(0)), ExtraServers.USER, PASSWORD).schemas(schema)
                .locations("filesystem:" + files).target(target).load().migrate();
        return schema;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = extra.connect(0); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
