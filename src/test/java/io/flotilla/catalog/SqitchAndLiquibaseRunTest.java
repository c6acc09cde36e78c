package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.sql.TenantExecutor;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.ScriptRuns;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqitch and Liquibase steps run against the real PostgreSQL through the tenant executor, as a rollout runs them:
 * a sqitch script's own BEGIN/COMMIT no longer end the step's transaction (the step and the statement run with it,
 * the ledger row's place, commit or roll back together), and each sample's non-transactional step (Liquibase's
 * runInTransaction:false, a sqitch script without BEGIN/COMMIT) builds its index concurrently, up and down.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SqitchAndLiquibaseRunTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TenantExecutor executor;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    private String schema() {
        return new ScriptRuns(pool, executor).schema("layouts2");
    }

    private void run(String schema, MigrationScript script) {
        new ScriptRuns(pool, executor).run(schema, script);
    }

    /** Runs {@code sql} as a step whose ledger row fails to insert: both must roll back. */
    private void runWithAFailingRecord(String schema, String sql) {
        assertThrows(RuntimeException.class, () -> pool.withConnection(conn -> executor.runAndCommit(conn, schema, sql,
                () -> conn.query("INSERT INTO no_such_ledger VALUES (1)").execute().replaceWithVoid()))
                .await().atMost(WAIT));
    }

    @Test
    void aSqitchScriptsBeginAndCommitDoNotEndTheStepsTransaction() throws IOException {
        Files.writeString(dir.resolve("sqitch.plan"), "%syntax-version=1.0.0\n%project=shop\n\n"
                + "users 2024-01-01T00:00:00Z Pat <pat@example.com> # Users.\n", UTF_8);
        Files.createDirectories(dir.resolve("deploy"));
        String deploy = """
                -- Deploy shop:users to pg

                BEGIN;

                CREATE TABLE users (id int PRIMARY KEY);
                INSERT INTO users VALUES (1);

                COMMIT;
                """;
        Files.writeString(dir.resolve("deploy/users.sql"), deploy, UTF_8);
        MigrationScript up = MigrationResolver.resolve(dir, true).orThrow().migrations().get(0).up();
        String schema = schema();

        runWithAFailingRecord(schema, up.sql());
        assertEquals(List.of(), Sql.tables(ds, schema), "the step rolled back with its failed record");

        // The file as written would have committed its table before the record failed: what the removal prevents.
        runWithAFailingRecord(schema, deploy);
        assertEquals(List.of("users"), Sql.tables(ds, schema));
    }

    @Test
    void aFailingStatementInsideASqitchScriptLeavesNothingBehind() throws IOException {
        Files.writeString(dir.resolve("sqitch.plan"), "%project=shop\n"
                + "users 2024-01-01T00:00:00Z Pat <pat@example.com> # Users.\n", UTF_8);
        Files.createDirectories(dir.resolve("deploy"));
        Files.writeString(dir.resolve("deploy/users.sql"),
                "BEGIN;\nCREATE TABLE users (id int);\nINSERT INTO users VALUES ('not a number');\nCOMMIT;\n", UTF_8);
        MigrationScript up = MigrationResolver.resolve(dir, true).orThrow().migrations().get(0).up();
        String schema = schema();

        assertThrows(RuntimeException.class, () -> run(schema, up));

        assertEquals(List.of(), Sql.tables(ds, schema));
    }

    @ParameterizedTest
    @ValueSource(strings = {"liquibase", "sqitch"})
    void eachSampleRunsItsConcurrentIndexOutsideATransactionAndRollsBack(String layout) {
        // pg_trgm's operator classes must be on every schema's search path: in public, as a DBA installs it.
        Sql.execute(ds, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public");
        Sql.execute(ds, "DO $$ BEGIN IF (SELECT extnamespace::regnamespace::text FROM pg_extension"
                + " WHERE extname = 'pg_trgm') <> 'public' THEN ALTER EXTENSION pg_trgm SET SCHEMA public; END IF; END $$");
        MigrationCatalog catalog = MigrationResolver.resolve(SqitchAndLiquibaseLayoutsTest.SAMPLES.resolve(layout),
                true).orThrow();
        String schema = schema();
        assertFalse(catalog.migrations().get(1).transactional());

        catalog.migrations().forEach(m -> run(schema, m.up()));

        assertEquals(List.of("notes"), Sql.tables(ds, schema));
        assertEquals(List.of("notes_body_trgm", "notes_pkey", "notes_title_trgm"), Sql.column(ds,
                "SELECT indexname FROM pg_indexes WHERE schemaname = ? ORDER BY 1", schema));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = 'notes_body_trgm'"
                + " AND i.indisvalid", schema));

        for (int i = catalog.migrations().size() - 1; i >= 0; i--) {
            run(schema, catalog.migrations().get(i).rollback().orElseThrow());
        }
        assertEquals(List.of(), Sql.tables(ds, schema));
    }

    @Test
    void aLiquibaseRollbackNotRequiredRunsAsAStepThatDoesNothing() throws IOException {
        Files.writeString(dir.resolve("changelog.sql"), """
                --liquibase formatted sql
                --changeset ann:1 runInTransaction:false
                CREATE TABLE audit (id int);
                --rollback not required
                """, UTF_8);
        Migration m = MigrationResolver.resolve(dir, true).orThrow().migrations().get(0);
        String schema = schema();
        run(schema, m.up());

        run(schema, m.rollback().orElseThrow());

        assertEquals(List.of("audit"), Sql.tables(ds, schema), "the rollback ran and changed nothing");
    }
}
