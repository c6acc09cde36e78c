package io.flotilla.rollout;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.StaleStepJanitor;
import io.flotilla.migration.SchemaMigrator;
import io.flotilla.migration.Target;
import io.flotilla.migration.TemplateRepository;
import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.testsupport.Catalogs;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans refused before anything runs, values read from tenant data, and rows of dead processes closed. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RolloutPlannerTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    RolloutPlanner planner;
    @Inject
    CompanyService companies;
    @Inject
    SchemaMigrator migrator;
    @Inject
    TemplateRepository lookup;
    @Inject
    StaleStepJanitor janitor;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    MigrationCatalog catalog(Map<String, String> files) throws IOException {
        return Catalogs.of(dir, files);
    }

    Company company() {
        String schema = Sql.unique("plan");
        Company c = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of()))
                .await().atMost(WAIT).company();
        return companies.update(c.id(), "active", null).await().atMost(WAIT);
    }

    static RolloutSpec spec(Target target, List<UUID> ids) {
        return new RolloutSpec(target, ids, List.of(), new RolloutStrategy(0, null, 2, 0), false);
    }

    @Test
    void aMissingExtensionFailsThePlanNamingItAndTheServer() throws IOException {
        Company c = company();
        MigrationCatalog catalog = catalog(Map.of(
                "001_a.sql", "CREATE TABLE a (id int);",
                "002_vec.sql", "-- flotilla:requires-extension flotilla_no_such_extension\nCREATE TABLE v (id int);"));
        FlotillaException e = assertThrows(FlotillaException.class,
                () -> planner.plan(spec(Target.latest(), List.of(c.id())), catalog, false).await().atMost(WAIT));
        assertEquals(ErrorCode.EXTENSION_MISSING, e.code());
        assertTrue(e.getMessage().contains("flotilla_no_such_extension"), e.getMessage());
        assertTrue(e.getMessage().contains("PostgreSQL server"), e.getMessage());
        assertEquals(List.of(), Sql.tables(ds, c.schemaName()));

        // An extension every PostgreSQL ships passes the preflight.
        MigrationCatalog fine = catalog(Map.of("001_a.sql", "-- flotilla:requires-extension plpgsql\nCREATE TABLE a (id int);"));
        RolloutPlan plan = planner.plan(spec(Target.latest(), List.of(c.id())), fine, false).await().atMost(WAIT);
        assertEquals(List.of(Version.parse("1")), plan.entries().get(0).versions());
    }

    @Test
    void aDownPlanWithoutRollbackFilesFailsBeforeAnythingRuns() throws IOException {
        Company c = company();
        MigrationCatalog catalog = catalog(Map.of(
                "001_a.sql", "CREATE TABLE a (id int);", "rollback_001_a.sql", "DROP TABLE a;",
                "002_b.sql", "CREATE TABLE b (id int);"));
        assertTrue(migrator.migrate(c, catalog, false).await().atMost(WAIT).succeeded());
        FlotillaException e = assertThrows(FlotillaException.class, () -> planner.plan(
                spec(new Target(Direction.DOWN, Version.parse("0")), List.of(c.id())), catalog, false).await().atMost(WAIT));
        assertEquals(ErrorCode.ROLLBACK_MISSING, e.code());
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        assertEquals(List.of("a", "b"), Sql.tables(ds, c.schemaName()));
        // Down to 2 has nothing to undo: the company is simply up to date for that plan.
        RolloutPlan none = planner.plan(spec(new Target(Direction.DOWN, Version.parse("2")), List.of(c.id())), catalog, false)
                .await().atMost(WAIT);
        assertEquals(0, none.entries().size());
        assertEquals(1, none.upToDate().size());
    }

    @Test
    void embeddingDimensionsComeFromTheTenantsAiConfigWhenSettingsDoNotSay() {
        Company c = company();
        Sql.execute(ds, "CREATE TABLE IF NOT EXISTS public.models_details (model_name text PRIMARY KEY, vector_number int)");
        Sql.execute(ds, "INSERT INTO public.models_details VALUES ('flotilla-test-embed-768', 768) ON CONFLICT DO NOTHING");
        Sql.execute(ds, "CREATE TABLE " + c.schemaName() + ".ai_config (embedding_model text)");
        Sql.execute(ds, "INSERT INTO " + c.schemaName() + ".ai_config VALUES ('flotilla-test-embed-768')");
        Map<String, String> found = lookup.lookUp(pool, c.schemaName(), Set.of("embedding_dimensions"))
                .await().atMost(WAIT);
        assertEquals(Map.of("embedding_dimensions", "768"), found);
        // A schema without ai_config has nothing to say.
        Company plain = company();
        assertEquals(Map.of(), lookup.lookUp(pool, plain.schemaName(), Set.of("embedding_dimensions"))
                .await().atMost(WAIT));
    }

    @Test
    void theJanitorClosesRunningRowsWhoseSchemaNobodyHolds() throws Exception {
        Company dead = company();
        Company alive = company();
        for (Company c : List.of(dead, alive)) {
            Sql.execute(ds, "INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key, name,"
                    + " script, direction, status, checksum, transactional, executed_by) VALUES (gen_random_uuid(), ?::uuid, ?,"
                    + " '1', '{1}', 'a', '001_a.sql', 'up', 'running', repeat('a', 64), false, 'some-host')",
                    c.id().toString(), c.schemaName());
        }
        try (var holder = ds.getConnection(); var st = holder.createStatement()) {
            // A live process on "alive": its row must stay running.
            st.execute("SELECT pg_advisory_lock(" + AdvisoryLocks.SCHEMA_NAMESPACE + ", hashtext('" + alive.schemaName() + "'))");
            janitor.sweep().await().atMost(WAIT);
            assertEquals(List.of("failed"), Sql.column(ds, "SELECT status FROM public.migration_ledger WHERE company_id = ?::uuid",
                    dead.id().toString()));
            assertEquals(List.of("running"), Sql.column(ds, "SELECT status FROM public.migration_ledger WHERE company_id = ?::uuid",
                    alive.id().toString()));
            st.execute("SELECT pg_advisory_unlock_all()");
        }
        janitor.sweep().await().atMost(WAIT);
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE status = 'running'"
                + " AND company_id IN (?::uuid, ?::uuid)", dead.id().toString(), alive.id().toString()));
        assertEquals(List.of("true"), Sql.column(ds, "SELECT failed::text FROM public.migration_state WHERE company_id = ?::uuid",
                dead.id().toString()));
    }
}
