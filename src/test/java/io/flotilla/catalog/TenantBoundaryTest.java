package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.catalog.CatalogProblem.Kind;
import io.flotilla.catalog.MigrationResolver.Resolution;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.SqlScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements that are not one tenant's business are refused when the catalog is read, each naming its file and line
 * ({@link TransactionWrap}, {@link TenantBoundary}); the lookalikes that are a tenant's business still load.
 */
class TenantBoundaryTest {

    @TempDir
    Path dir;

    private void write(String name, String sql) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, sql, UTF_8);
    }

    private List<CatalogProblem> problems() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertTrue(resolution.catalog().isEmpty(), "a catalog with problems is no catalog");
        return resolution.problems();
    }

    private static CatalogProblem one(List<CatalogProblem> problems, Kind kind) {
        assertEquals(1, problems.size(), problems::toString);
        assertEquals(kind, problems.get(0).kind(), problems::toString);
        return problems.get(0);
    }

    private MigrationCatalog loads() {
        Resolution resolution = MigrationResolver.resolve(dir, true);
        assertEquals(List.of(), resolution.problems());
        return resolution.orThrow();
    }

    @Nested
    class TransactionControl {

        @ParameterizedTest
        @ValueSource(strings = {"COMMIT", "commit work", "COMMIT AND CHAIN", "END", "END TRANSACTION", "ROLLBACK",
                "rollback transaction", "ABORT", "BEGIN", "BEGIN ISOLATION LEVEL SERIALIZABLE", "START TRANSACTION",
                "PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'", "ROLLBACK PREPARED 'x'"})
        void inTheMiddleOfATransactionalFileItIsRefusedWithFileAndLine(String statement) throws IOException {
            write("001_half.sql", "-- Two tables.\nCREATE TABLE half_a (id int);\n" + statement
                    + ";\nCREATE TABLE half_b (id int);\n");

            CatalogProblem p = one(problems(), Kind.TRANSACTION_CONTROL);

            assertEquals(List.of("001_half.sql"), p.files());
            assertEquals(3, p.line());
            assertTrue(p.message().startsWith("001_half.sql line 3 holds " + statement + " between its first and last"),
                    p.message());
        }

        @Test
        void theReportedCaseIsRefusedAtLoadAndSoNeverRuns() throws IOException {
            write("008_half.sql", "CREATE TABLE half_a (id int); COMMIT; CREATE TABLE half_b (id int); SELECT 1/0;");

            Resolution resolution = MigrationResolver.resolve(dir, true);
            FlotillaException e = assertThrows(FlotillaException.class, resolution::orThrow);

            assertEquals(ErrorCode.CATALOG_INVALID, e.code());
            assertTrue(e.getMessage().contains("008_half.sql line 1 holds COMMIT"), e.getMessage());
        }

        @Test
        void aBeginWithoutCommitAndACommitWithoutBeginAreRefused() throws IOException {
            write("001_open.sql", "\nBEGIN;\nCREATE TABLE a (id int);\n");
            write("002_close.sql", "CREATE TABLE b (id int);\nCOMMIT;\n");

            List<CatalogProblem> problems = problems();

            assertEquals(2, problems.size(), problems::toString);
            assertTrue(problems.get(0).message().startsWith("001_open.sql line 2 opens a transaction with BEGIN but"
                    + " does not end with COMMIT"), problems.toString());
            assertTrue(problems.get(1).message().startsWith("002_close.sql line 2 ends with COMMIT but does not open"
                    + " with BEGIN"), problems.toString());
            assertEquals(List.of(2, 2), problems.stream().map(CatalogProblem::line).toList());
        }

        @Test
        void savepointsStayInsideTheStepsTransaction() throws IOException {
            write("001_savepoints.sql", """
                    CREATE TABLE a (id int);
                    SAVEPOINT s;
                    INSERT INTO a VALUES (1);
                    ROLLBACK TO SAVEPOINT s;
                    ROLLBACK TO s;
                    RELEASE SAVEPOINT s;
                    """);

            assertTrue(loads().migrations().get(0).transactional());
        }

        @Test
        void aWholeFileWrapIsTakenOffKeepingLinesAndTheFilesChecksum() throws IOException {
            String text = """
                    -- Wrapped, as plain SQL directories and sqitch write them.
                    -- flotilla:requires-extension pgcrypto
                    BEGIN;

                    CREATE TABLE users (id uuid DEFAULT gen_random_uuid());
                    -- BEGIN and COMMIT in a comment are not statements.
                    INSERT INTO users DEFAULT VALUES;

                    COMMIT;
                    """;
            write("001_users.sql", text);

            MigrationScript up = loads().migrations().get(0).up();

            assertEquals(List.of("CREATE TABLE users (id uuid DEFAULT gen_random_uuid())",
                    "INSERT INTO users DEFAULT VALUES"), SqlScript.split(up.sql()));
            assertEquals(text.split("\n", -1).length, up.sql().split("\n", -1).length, "lines kept: " + up.sql());
            assertEquals(text.lines().toList().indexOf("INSERT INTO users DEFAULT VALUES;"),
                    up.sql().lines().toList().indexOf("INSERT INTO users DEFAULT VALUES;"), up.sql());
            assertTrue(up.transactional());
            assertEquals(List.of("pgcrypto"), up.requires(), "the header's directives are still read");
            // A wrapped file applied before the wrap was taken off must not read as drifted.
            assertEquals(MigrationResolver.sha256(text), up.checksum());
        }

        @Test
        void aWrapSpelledStartTransactionAndEndIsTakenOffToo() throws IOException {
            write("1_users.up.sql", "START TRANSACTION ISOLATION LEVEL READ COMMITTED;\nCREATE TABLE users (id int);\n"
                    + "END;\n");
            write("1_users.down.sql", "BEGIN; DROP TABLE users; COMMIT;");

            Migration m = loads().migrations().get(0);

            assertEquals(List.of("CREATE TABLE users (id int)"), SqlScript.split(m.up().sql()));
            assertEquals(List.of("DROP TABLE users"), SqlScript.split(m.rollback().orElseThrow().sql()));
        }

        @Test
        void aNoTransactionFileMayGroupItsOwnStatements() throws IOException {
            write("001_index.sql", """
                    CREATE INDEX CONCURRENTLY t_x ON t (x);
                    BEGIN;
                    UPDATE t SET x = 1;
                    COMMIT;
                    """);

            Migration m = loads().migrations().get(0);

            assertFalse(m.transactional());
            assertEquals(4, SqlScript.split(m.up().sql()).size());
        }

        @Test
        void beginAndCommitInsideBodiesStringsAndCommentsAreNotTransactionControl() throws IOException {
            write("001_bodies.sql", """
                    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        NEW.updated_at = now();
                        RETURN NEW;
                    END;
                    $$;
                    CREATE FUNCTION one() RETURNS int LANGUAGE sql
                    BEGIN ATOMIC
                        SELECT 1;
                    END;
                    CREATE PROCEDURE batches() LANGUAGE plpgsql AS $body$
                    BEGIN
                        COMMIT;
                        ROLLBACK;
                    END
                    $body$;
                    DO $$ BEGIN PERFORM 1; END $$;
                    SELECT 'COMMIT; BEGIN; CREATE ROLE x; CREATE TABLE public.x (id int)';
                    /* COMMIT; CREATE ROLE x; DROP DATABASE y; */
                    -- ROLLBACK; ALTER SYSTEM SET work_mem = '1GB';
                    """);

            MigrationScript up = loads().migrations().get(0).up();

            assertTrue(up.transactional());
            assertEquals(5, SqlScript.split(up.sql()).size());
        }
    }

    @Nested
    class OutsideTheTenant {

        @ParameterizedTest
        @ValueSource(strings = {
                "CREATE DATABASE other", "ALTER DATABASE app SET work_mem = '64MB'", "DROP DATABASE IF EXISTS other",
                "CREATE ROLE x", "CREATE ROLE x LOGIN PASSWORD 'p'", "ALTER ROLE x SET search_path = public",
                "DROP ROLE IF EXISTS x", "CREATE USER u", "ALTER USER u WITH PASSWORD 'p'", "DROP USER u",
                "CREATE GROUP g", "ALTER GROUP g ADD USER u", "DROP GROUP g", "GRANT reader TO app",
                "REVOKE reader FROM app", "ALTER SYSTEM SET work_mem = '1GB'", "ALTER SYSTEM RESET ALL",
                "COPY t FROM PROGRAM 'cat /etc/passwd'", "COPY (SELECT 1) TO PROGRAM 'true'",
                "CREATE TABLESPACE fast LOCATION '/tmp'", "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()",
                "CREATE PUBLICATION p FOR ALL TABLES", "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw",
                "CREATE USER MAPPING FOR u SERVER s", "DROP OWNED BY x", "REASSIGN OWNED BY x TO y",
                "CREATE TABLE public.x (id int)", "CREATE TABLE IF NOT EXISTS other_tenant.x (id int)",
                "CREATE UNLOGGED TABLE \"public\".x (id int)", "CREATE TABLE ${schema}.p PARTITION OF public.parent"
                + " FOR VALUES IN (1)",
                "CREATE INDEX ON public.x (id)", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY public.x (id)",
                "CREATE VIEW public.v AS SELECT 1", "CREATE OR REPLACE VIEW other.v AS SELECT 1",
                "CREATE MATERIALIZED VIEW public.mv AS SELECT 1",
                "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE OR REPLACE PROCEDURE public.p() LANGUAGE sql AS 'SELECT 1'",
                "CREATE TYPE public.mood AS ENUM ('ok')", "CREATE SEQUENCE public.s", "CREATE DOMAIN public.d AS int",
                "CREATE TRIGGER t BEFORE INSERT OR UPDATE OF a ON public.x FOR EACH ROW EXECUTE FUNCTION f()",
                "CREATE POLICY p ON public.x USING (true)", "CREATE RULE r AS ON INSERT TO public.x DO INSTEAD NOTHING",
                "CREATE SCHEMA reporting", "DROP SCHEMA public CASCADE", "ALTER SCHEMA public OWNER TO x",
                "ALTER TABLE public.x ADD COLUMN y int", "ALTER TABLE IF EXISTS ONLY public.x DROP COLUMN y",
                "ALTER TABLE x SET SCHEMA public", "ALTER FUNCTION f() SET SCHEMA other",
                "ALTER INDEX public.i RENAME TO j", "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO r",
                "DROP TABLE a, public.b", "DROP FUNCTION IF EXISTS f(int), public.g(text)",
                "DROP INDEX CONCURRENTLY IF EXISTS public.i", "DROP VIEW other_tenant.v CASCADE",
                "DROP TRIGGER IF EXISTS t ON public.x", "DROP OPERATOR public.=== (int, int)",
                "COMMENT ON TABLE public.x IS 'x'", "COMMENT ON COLUMN public.x.y IS 'y'",
                "COMMENT ON FUNCTION public.f(int) IS 'f'", "COMMENT ON SCHEMA public IS 'p'",
                "COMMENT ON CONSTRAINT c ON public.x IS 'c'", "COMMENT ON DATABASE app IS 'a'",
                "COMMENT ON ROLE x IS 'x'",
                "GRANT SELECT ON public.x TO r", "GRANT SELECT ON TABLE a, public.b TO r",
                "GRANT USAGE ON SCHEMA public TO r", "GRANT SELECT ON ALL TABLES IN SCHEMA other TO r",
                "REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC", "GRANT CONNECT ON DATABASE app TO r",
                "CREATE TABLE ${shared}.x (id int)",
                "SET search_path = public", "SET search_path TO other_tenant, public", "SET LOCAL search_path = public",
                "SET SESSION search_path TO public", "SET SCHEMA 'public'", "RESET search_path", "RESET ALL",
                "SET ROLE admin", "SET SESSION AUTHORIZATION admin",
                "SELECT set_config('search_path', 'public', false)", "SELECT set_config('search_path', 'public', true)",
                "SELECT pg_catalog.set_config('role', 'admin', true)", "select SET_CONFIG( 'Search_Path' , 'x', true)",
                "SELECT set_config('session_authorization', 'admin', false)", "SELECT set_config(E'role', 'admin', true)",
                "SELECT 1 FROM (SELECT set_config('search_path', 'other', true)) s",
                "CREATE TABLE copied AS SELECT set_config('role', 'admin', true) AS r"})
        void itIsRefusedAtLoadWithFileAndLine(String statement) throws IOException {
            write("001_ok.sql", "CREATE TABLE ok (id int);\n");
            write("002_outside.sql", "-- flotilla:default shared=public\nCREATE TABLE fine (id int);\n\n" + statement
                    + ";\nCREATE TABLE fine_too (id int);\n");

            CatalogProblem p = one(problems(), Kind.OUTSIDE_TENANT);

            assertEquals(List.of("002_outside.sql"), p.files());
            assertTrue(p.message().startsWith("002_outside.sql line 4: " + statement + " — "), p.message());
            assertTrue(p.message().contains("tenant"), p.message());
            assertEquals(4, p.line(), "the statement's line, apart from the message");
        }

        @Test
        void everyRefusedStatementOfAFileIsNamedAtOnceWithItsOwnLine() throws IOException {
            write("001_many.sql", """
                    CREATE ROLE app_reader;
                    CREATE TABLE notes (
                        id int
                    );
                    CREATE TABLE
                        public.audit (id int);
                    """);

            List<CatalogProblem> problems = problems();

            assertEquals(2, problems.size(), problems::toString);
            assertTrue(problems.get(0).message().startsWith("001_many.sql line 1: CREATE ROLE app_reader — "
                    + "creates a role"), problems.toString());
            assertTrue(problems.get(1).message().startsWith("001_many.sql line 5: CREATE TABLE — creates"
                    + " public.audit in schema public"), problems.toString());
            assertEquals(List.of(1, 5), problems.stream().map(CatalogProblem::line).toList());
        }

        @Test
        void referencesToSharedTypesAndFunctionsAndTheTenantsOwnSchemaStayAllowed() throws IOException {
            write("001_tenant.sql", """
                    CREATE TABLE ${schema}.documents (
                        id uuid PRIMARY KEY DEFAULT public.gen_random_uuid(),
                        embedding public.vector(3),
                        owner_id int REFERENCES public.owners (id),
                        tags text[] DEFAULT '{}'::text[]
                    );
                    CREATE TABLE notes (id int, body text, CONSTRAINT fk FOREIGN KEY (id) REFERENCES public.owners (id));
                    ALTER TABLE documents ADD COLUMN summary public.vector(3);
                    ALTER TABLE ${schema}.documents ALTER COLUMN embedding TYPE public.vector(3);
                    CREATE INDEX documents_embedding ON ${schema}.documents USING hnsw (embedding public.vector_cosine_ops);
                    CREATE INDEX ON notes USING gin (body public.gin_trgm_ops);
                    CREATE FUNCTION ${schema}.touch() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN INSERT INTO public.audit VALUES (1); RETURN NEW; END $$;
                    CREATE TRIGGER touch BEFORE UPDATE ON ${schema}.documents
                        FOR EACH ROW EXECUTE FUNCTION public.audit_trigger();
                    CREATE VIEW recent AS SELECT * FROM public.shared_lookup;
                    CREATE SEQUENCE s OWNED BY ${schema}.documents.id;
                    COMMENT ON TABLE ${schema}.documents IS 'CREATE ROLE x';
                    COMMENT ON COLUMN documents.id IS 'id';
                    COMMENT ON COLUMN ${schema}.documents.id IS 'id';
                    GRANT SELECT ON documents TO reporting;
                    GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO reporting;
                    GRANT USAGE ON SCHEMA ${schema} TO reporting;
                    CREATE TEMP TABLE scratch (id int);
                    SET LOCAL statement_timeout = '1min';
                    SET LOCAL lock_timeout TO '5s';
                    CREATE TABLE pg_temp.scratch2 (id int);
                    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                    INSERT INTO public.audit VALUES (2);
                    COPY notes FROM STDIN;
                    SELECT public.set_config('x', 'y', true);
                    SELECT set_config('lock_timeout', '5s', true), set_config('app.tenant_id', 'search_path', true);
                    SELECT 'set_config(''search_path'', ''public'', true)';
                    CREATE FUNCTION ${schema}.pin() RETURNS void LANGUAGE sql AS $$
                    SELECT set_config('search_path', 'x', true) $$;
                    DROP TABLE IF EXISTS ${schema}.old, older;
                    DROP FUNCTION IF EXISTS ${schema}.touch();
                    """);

            assertEquals(29, SqlScript.split(loads().migrations().get(0).up().sql()).size());
        }

        @Test
        void theShippedSampleAndEveryLayoutSampleStillLoad() throws IOException {
            assertEquals(List.of(), MigrationResolver.resolve(Path.of("migrations"), true).problems());
            try (var layouts = Files.list(Path.of("src/test/resources/layouts"))) {
                for (Path layout : layouts.toList()) {
                    assertEquals(List.of(), MigrationResolver.resolve(layout, true).problems(), layout.toString());
                }
            }
        }

        @Test
        void aSeedThatCreatesARoleIsInvalidAndNothingIsRun() throws IOException {
            write("001_ok.sql", "CREATE TABLE ok (id int);\n");
            write("seeds/001_rows.sql", "INSERT INTO ok VALUES (1);\n");
            write("seeds/002_role.sql", "INSERT INTO ok VALUES (2);\nCREATE ROLE seeded;\n");

            FlotillaException e = assertThrows(FlotillaException.class, () -> Seeds.read(Seeds.directory(dir), true));

            assertEquals(ErrorCode.SEED_INVALID, e.code());
            assertTrue(e.getMessage().contains("002_role.sql line 2: CREATE ROLE seeded — creates a role"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("001_rows.sql"), e.getMessage());
        }

        @Test
        void aWrappedSeedRunsWithoutItsWrap() throws IOException {
            write("001_ok.sql", "CREATE TABLE ok (id int);\n");
            write("seeds/001_rows.sql", "BEGIN;\nINSERT INTO ok VALUES (1);\nCOMMIT;\n");

            List<MigrationScript> seeds = Seeds.read(Seeds.directory(dir), true);

            assertEquals(List.of("INSERT INTO ok VALUES (1)"), SqlScript.split(seeds.get(0).sql()));
        }

        @Test
        void anotherToolsSectionsAreCheckedWithTheFilesLineNumbers() throws IOException {
            write("00001_users.sql", """
                    -- +goose Up
                    CREATE TABLE users (id int);
                    CREATE ROLE goose_made;
                    -- +goose Down
                    DROP TABLE users;
                    DROP ROLE goose_made;
                    """);

            List<CatalogProblem> problems = problems();

            assertEquals(2, problems.size(), problems::toString);
            assertTrue(problems.get(0).message().startsWith("00001_users.sql line 3: CREATE ROLE goose_made"),
                    problems.toString());
            assertTrue(problems.get(1).message().startsWith("00001_users.sql line 6: DROP ROLE goose_made"),
                    problems.toString());
            assertEquals(List.of(3, 6), problems.stream().map(CatalogProblem::line).toList(), "lines of the file");
        }

        @Test
        void aLiquibaseChangesetIsCheckedWithTheFilesLineNumbers() throws IOException {
            write("changelog.sql", """
                    --liquibase formatted sql

                    --changeset ann:1
                    CREATE TABLE a (id int);
                    --rollback DROP TABLE a;

                    --changeset ann:2
                    CREATE TABLE b (id int);
                    --rollback DROP TABLE b;
                    COMMENT ON TABLE public.b IS 'b';
                    """);

            CatalogProblem p = one(problems(), Kind.OUTSIDE_TENANT);

            assertTrue(p.message().startsWith("changelog.sql line 10: COMMENT ON TABLE public.b"), p.message());
            assertEquals(10, p.line(), "the line in the changelog, not in the changeset");
        }
    }
}
