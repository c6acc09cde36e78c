package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.catalog.Version;
import io.flotilla.ledger.LedgerRepository;
import io.flotilla.ledger.MigrationInfo;
import io.flotilla.ledger.MigrationState;
import io.flotilla.rollout.RolloutPlan;
import io.flotilla.rollout.RolloutPlanner;
import io.flotilla.rollout.RolloutSpec;
import io.flotilla.rollout.RolloutStrategy;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flyway repeatable migrations against a real PostgreSQL: run after the versions, again only when their file changed,
 * each run a ledger row, their state beside the versions', seen by the rollout planner from the shapes.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RepeatableMigrationTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String V1 = "CREATE TABLE items (id int PRIMARY KEY, tenant_id int NOT NULL);\n";
    static final String V2 = "ALTER TABLE items ADD COLUMN label text;\n";
    static final String VIEWS = "CREATE OR REPLACE VIEW item_labels AS SELECT id, label FROM items;\n";
    static final String VIEWS_CHANGED = "CREATE OR REPLACE VIEW item_labels AS SELECT id, label, upper(label) AS shout FROM items;\n";

    @Inject
    SchemaMigrator migrator;
    @Inject
    CompanyService companies;
    @Inject
    RolloutPlanner planner;
    @Inject
    DataSource ds;
    @Inject
    LedgerRepository ledger;
    @Inject
    Pool pool;

    @TempDir
    Path dir;

    Company company(String schema) {
        Company c = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        return companies.update(c.id(), "active", null).await().atMost(WAIT);
    }

    /** A Flyway directory with V1, V2 and R__views.sql holding {@code views}. */
    MigrationCatalog catalog(String views) throws IOException {
        Path d = Files.createTempDirectory(dir, "flyway");
        Files.writeString(d.resolve("V1__items.sql"), V1);
        Files.writeString(d.resolve("V2__labels.sql"), V2);
        Files.writeString(d.resolve("R__views.sql"), views);
        return MigrationResolver.resolve(d, true).orThrow();
    }

    ApplyResult migrate(Company c, MigrationCatalog catalog) {
        return migrator.migrate(c, catalog, false).await().atMost(WAIT);
    }

    List<String> ledger(Company c) {
        return Sql.column(ds, "SELECT version || ':' || name || ':' || status || ':' || script || ':' || (version_key = '{}')"
                + " FROM public.migration_ledger WHERE company_id = ?::uuid ORDER BY id", c.id().toString());
    }

    MigrationInfo repeatableInfo(Company c, MigrationCatalog catalog) {
        List<MigrationInfo> infos = companies.migrations(c.id(), catalog).await().atMost(WAIT);
        assertEquals(List.of("1", "2", "R"), infos.stream().map(MigrationInfo::version).toList(), infos::toString);
        return infos.get(2);
    }

    RolloutPlan plan(Company c, MigrationCatalog catalog, Target target) {
        return planner.plan(new RolloutSpec(target, List.of(c.id()), List.of(), new RolloutStrategy(0, null, 2, 0), false),
                catalog, false).await().atMost(WAIT);
    }

    @Test
    void repeatableRunsAfterTheVersionsAndAgainOnlyWhenItsFileChanges() throws IOException {
        Company c = company("rep_" + UUID.randomUUID().toString().substring(0, 8));
        MigrationCatalog first = catalog(VIEWS);
        assertEquals(MigrationState.PENDING, repeatableInfo(c, first).state());
        RolloutPlan fresh = plan(c, first, Target.latest());
        assertEquals(List.of("views"), fresh.entries().get(0).repeatables());
        assertEquals(3, fresh.steps());

        ApplyResult onboarded = migrate(c, first);

        assertTrue(onboarded.succeeded(), onboarded::toString);
        assertEquals(List.of("1", "2"), onboarded.applied());
        assertEquals(List.of("views"), onboarded.repeatables());
        assertEquals(List.of("1:items:applied:V1__items.sql:false", "2:labels:applied:V2__labels.sql:false",
                "R:views:applied:R__views.sql:true"), ledger(c));
        MigrationInfo applied = repeatableInfo(c, first);
        assertEquals(MigrationState.APPLIED, applied.state());
        assertEquals("views", applied.name());
        assertEquals("R__views.sql", applied.script());
        assertEquals(first.repeatables().get(0).checksum(), applied.appliedChecksum());
        assertNotNull(applied.appliedAt());

        // Unchanged: nothing to plan, nothing runs.
        RolloutPlan current = plan(c, first, Target.latest());
        assertTrue(current.entries().isEmpty(), current::toString);
        assertEquals(1, current.upToDate().size());
        ApplyResult again = migrate(c, first);
        assertEquals(List.of(), again.applied());
        assertEquals(List.of(), again.repeatables());
        assertEquals(3, ledger(c).size());

        // The file changed: OUTDATED, planned alone, and a migrate runs only it; the ledger keeps both runs.
        MigrationCatalog changed = catalog(VIEWS_CHANGED);
        assertEquals(MigrationState.OUTDATED, repeatableInfo(c, changed).state());
        assertTrue(companies.migrations(c.id(), changed).await().atMost(WAIT).stream().noneMatch(MigrationInfo::drifted));
        RolloutPlan outdated = plan(c, changed, Target.latest());
        assertEquals(1, outdated.entries().size());
        assertEquals(List.of(), outdated.entries().get(0).versions());
        assertEquals(List.of("views"), outdated.entries().get(0).repeatables());
        // Not on a run to a lower version, nor down.
        assertTrue(plan(c, changed, new Target(Direction.UP, Version.parse("1"))).entries().isEmpty());

        ApplyResult rerun = migrate(c, changed);

        assertEquals(List.of(), rerun.applied());
        assertEquals(List.of("views"), rerun.repeatables());
        assertEquals(List.of("1:items:applied:V1__items.sql:false", "2:labels:applied:V2__labels.sql:false",
                "R:views:applied:R__views.sql:true", "R:views:applied:R__views.sql:true"), ledger(c));
        assertEquals(List.of("id", "label", "shout"), Sql.column(ds, "SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = 'item_labels' ORDER BY ordinal_position", c.schemaName()));
        assertEquals(MigrationState.APPLIED, repeatableInfo(c, changed).state());
        assertTrue(plan(c, changed, Target.latest()).entries().isEmpty());
        // The ledger API keeps the repeatable's runs apart with version R, and a number keeps them out.
        given().queryParam("companyId", c.id().toString()).queryParam("version", "R")
                .when().get("/api/v1/ledger").then().statusCode(200)
                .body("items.version", equalTo(List.of("R", "R"))).body("items.name", everyItem(equalTo("views")));
        given().queryParam("companyId", c.id().toString()).queryParam("version", "2")
                .when().get("/api/v1/ledger").then().statusCode(200).body("items.version", equalTo(List.of("2")));
        // The versioned plan reads of the fleet are untouched by the repeatable's rows.
        assertEquals(List.of("1", "2"), Sql.column(ds, "SELECT version FROM public.migration_state WHERE company_id = ?::uuid"
                + " ORDER BY version_key", c.id().toString()));

        // A reset's record of the dropped schema rolls the repeatable back too (first, as it ran last): pending again.
        List<String> dropped = pool.withConnection(conn -> ledger.recordSchemaDropped(conn, UUID.randomUUID(), c.id(),
                c.schemaName(), "reset: schema dropped", "test")).await().atMost(WAIT);
        assertEquals(List.of("1", "2"), dropped);
        List<String> rows = ledger(c);
        assertEquals(List.of("R:views:rolled_back:reset: schema dropped:true", "2:labels:rolled_back:reset: schema dropped:false",
                "1:items:rolled_back:reset: schema dropped:false"), rows.subList(4, 7));
        assertEquals(MigrationState.PENDING, repeatableInfo(c, changed).state());
        assertEquals(List.of("views"), plan(c, changed, Target.latest()).entries().get(0).repeatables());
    }

    @Test
    void aFailingRepeatableIsAFailedStepAndRunsAgain() throws IOException {
        Company c = company("rep_" + UUID.randomUUID().toString().substring(0, 8));
        MigrationCatalog good = catalog(VIEWS);
        migrate(c, good);
        MigrationCatalog broken = catalog("CREATE OR REPLACE VIEW item_labels AS SELECT nope FROM items;\n");

        ApplyResult failed = migrate(c, broken);

        assertNotNull(failed.failure());
        assertEquals("R", failed.failure().version());
        assertEquals("R__views.sql", failed.failure().script());
        assertEquals("42703", failed.failure().sqlState());
        assertEquals(List.of(), failed.pending());
        assertEquals("R:views:failed:R__views.sql:true", ledger(c).get(ledger(c).size() - 1));
        MigrationInfo info = repeatableInfo(c, broken);
        assertEquals(MigrationState.FAILED, info.state());
        assertTrue(info.lastError().contains("nope"), info.lastError());
        // The view as last applied stays; the company counts as failed in the fleet views.
        assertEquals(good.repeatables().get(0).checksum(), info.appliedChecksum());
        assertEquals(List.of("true"), Sql.column(ds, "SELECT failed::text FROM public.company_shapes WHERE company_id = ?::uuid",
                c.id().toString()));
        // A failed repeatable runs again, even once its file is back at the text last applied.
        assertEquals(List.of("views"), plan(c, good, Target.latest()).entries().get(0).repeatables());

        ApplyResult fixed = migrate(c, good);

        assertNull(fixed.failure());
        assertEquals(List.of("views"), fixed.repeatables());
        assertEquals(MigrationState.APPLIED, repeatableInfo(c, good).state());
        assertEquals(List.of("false"), Sql.column(ds, "SELECT failed::text FROM public.company_shapes WHERE company_id = ?::uuid",
                c.id().toString()));
    }
}
