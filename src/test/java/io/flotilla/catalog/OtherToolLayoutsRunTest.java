package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * goose and dbmate files resolved and run against the real PostgreSQL through the tenant executor, as a rollout runs
 * them: the up section creates, the down section (never part of the up) drops, and a NO TRANSACTION file with a
 * StatementBegin/StatementEnd function runs statement by statement.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OtherToolLayoutsRunTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TenantExecutor executor;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    private void run(String schema, MigrationScript script) {
        new ScriptRuns(pool, executor).run(schema, script);
    }

    private String schema() {
        return new ScriptRuns(pool, executor).schema("layouts");
    }

    @Test
    void gooseUpCreatesWithoutRunningItsDownAndDownUndoes() throws IOException {
        Files.writeString(dir.resolve("00001_post.sql"), """
                -- +goose Up
                CREATE TABLE post (id int PRIMARY KEY, title text);
                INSERT INTO post VALUES (1, 'kept');

                -- +goose Down
                DROP TABLE post;
                """, UTF_8);
        Files.writeString(dir.resolve("00002_touch.sql"), """
                -- +goose NO TRANSACTION
                -- +goose Up
                -- +goose StatementBegin
                CREATE FUNCTION title_upper() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.title := upper(NEW.title);
                    RETURN NEW;
                END;
                $$;
                -- +goose StatementEnd
                CREATE INDEX CONCURRENTLY post_title ON post (title);
                CREATE TRIGGER post_upper BEFORE INSERT ON post FOR EACH ROW EXECUTE FUNCTION title_upper();

                -- +goose Down
                DROP TRIGGER post_upper ON post;
                DROP FUNCTION title_upper();
                DROP INDEX CONCURRENTLY post_title;
                """, UTF_8);
        MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();
        String schema = schema();

        for (Migration m : catalog.migrations()) {
            run(schema, m.up());
        }

        assertEquals(List.of("post"), Sql.tables(ds, schema), "the down section's DROP never ran");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM " + schema + ".post WHERE title = 'kept'"));
        Sql.execute(ds, "INSERT INTO " + schema + ".post VALUES (2, 'shout')");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM " + schema + ".post WHERE title = 'SHOUT'"),
                "the function in the StatementBegin block was created whole");
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND indexname = 'post_title'",
                schema));
        assertFalse(catalog.migrations().get(1).transactional());

        run(schema, catalog.migrations().get(1).rollback().orElseThrow());
        run(schema, catalog.migrations().get(0).rollback().orElseThrow());

        assertEquals(List.of(), Sql.tables(ds, schema));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = ? AND p.proname = 'title_upper'", schema));
    }

    @Test
    void dbmateUpAndDownAgainstPostgres() throws IOException {
        Files.writeString(dir.resolve("20240101120000_users.sql"), """
                -- migrate:up
                create table users (id integer primary key, name text);

                -- migrate:down
                drop table users;
                """, UTF_8);
        Files.writeString(dir.resolve("20240102090000_users_name.sql"), """
                -- migrate:up transaction:false
                create index concurrently users_name on users (name);

                -- migrate:down
                drop index users_name;
                """, UTF_8);
        MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();
        String schema = schema();

        catalog.migrations().forEach(m -> run(schema, m.up()));

        assertEquals(List.of("users"), Sql.tables(ds, schema));
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND indexname = 'users_name'",
                schema));
        assertTrue(catalog.migrations().get(1).rollback().orElseThrow().transactional());

        run(schema, catalog.migrations().get(1).rollback().orElseThrow());
        run(schema, catalog.migrations().get(0).rollback().orElseThrow());

        assertEquals(List.of(), Sql.tables(ds, schema));
    }
}
