package io.flotilla.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Nested
    class Split {

        @Test
        void splitsOnTopLevelSemicolonsAndTrims() {
            assertEquals(List.of("CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)"),
                    SqlScript.split("  CREATE TABLE a (id int);\n\n  INSERT INTO a VALUES (1) ;\n"));
        }

        @Test
        void keepsTrailingStatementWithoutSemicolon() {
            assertEquals(List.of("SELECT 1", "SELECT 2"), SqlScript.split("SELECT 1;\nSELECT 2\n"));
        }

        @Test
        void dropsEmptyStatements() {
            assertEquals(List.of("SELECT 1", "SELECT 2"), SqlScript.split(";;SELECT 1;; ;\n;SELECT 2;;"));
            assertEquals(List.of(), SqlScript.split("  -- only a comment;\n/* and another; */ ;\n"));
            assertEquals(List.of(), SqlScript.split(""));
        }

        @Test
        void plpgsqlDollarBodyKeepsInnerSemicolons() {
            String fn = """
                    CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                        NEW.updated_at := now();
                        RETURN NEW;
                    END;
                    $$""";
            String trigger = "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at()";
            assertEquals(List.of(fn, trigger), SqlScript.split(fn + ";\n" + trigger + ";\n"));
        }

        @Test
        void taggedDollarBodyMayContainDoubleDollar() {
            String fn = """
                    CREATE FUNCTION run_dynamic() RETURNS void LANGUAGE plpgsql AS $body$
                    BEGIN
                        EXECUTE $$UPDATE accounts SET note = 'a;b'$$;
                        PERFORM 1;
                    END
                    $body$""";
            assertEquals(List.of(fn, "SELECT run_dynamic()"), SqlScript.split(fn + ";\nSELECT run_dynamic();"));
        }

        @Test
        void positionalParameterIsNotADollarQuote() {
            String fn = "CREATE FUNCTION add(int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2'";
            assertEquals(List.of(fn, "SELECT add(1, 2)"), SqlScript.split(fn + "; SELECT add(1, 2);"));
            assertEquals(List.of("PREPARE q(int) AS SELECT $1", "EXECUTE q(1)"),
                    SqlScript.split("PREPARE q(int) AS SELECT $1; EXECUTE q(1);"));
        }

        @Test
        void dollarInsideIdentifierIsNotADollarQuote() {
            assertEquals(List.of("SELECT a$b$ FROM t", "SELECT 2"), SqlScript.split("SELECT a$b$ FROM t; SELECT 2"));
        }

        @Test
        void nestedBlockCommentsAreKeptInsideAStatement() {
            String sql = "SELECT 1 /* outer; /* inner; */ still comment; */ + 1;\nSELECT 2;";
            assertEquals(List.of("SELECT 1 /* outer; /* inner; */ still comment; */ + 1", "SELECT 2"), SqlScript.split(sql));
        }

        @Test
        void lineCommentWithSemicolonAndQuote() {
            String sql = """
                    -- the user's table; created first
                    CREATE TABLE users (id bigint); -- don't split here; really
                    ALTER TABLE users ADD COLUMN email text -- it's; fine
                    ;
                    """;
            // A comment before a statement's first token is not part of it; one after it is.
            assertEquals(List.of("CREATE TABLE users (id bigint)", "ALTER TABLE users ADD COLUMN email text -- it's; fine"),
                    SqlScript.split(sql));
        }

        @Test
        void doubledQuoteAndEscapeStrings() {
            String sql = "INSERT INTO notes VALUES ('it''s; ok'), (E'it\\'s; ok'), (e'back\\\\'); SELECT ';'";
            assertEquals(List.of("INSERT INTO notes VALUES ('it''s; ok'), (E'it\\'s; ok'), (e'back\\\\')", "SELECT ';'"),
                    SqlScript.split(sql));
        }

        @Test
        void letterEEndingAnIdentifierDoesNotStartAnEscapeString() {
            // With standard_conforming_strings a backslash is literal: 'a\' ends at the second quote.
            String sql = "SELECT namE'a\\'; SELECT 2";
            assertEquals(List.of("SELECT namE'a\\'", "SELECT 2"), SqlScript.split(sql));
        }

        @Test
        void otherStringPrefixesKeepBackslashLiteral() {
            String sql = "INSERT INTO paths VALUES (N'C:\\'), (B'1010'); SELECT 2";
            assertEquals(List.of("INSERT INTO paths VALUES (N'C:\\'), (B'1010')", "SELECT 2"), SqlScript.split(sql));
        }

        @Test
        void quotedIdentifierWithSemicolonAndDoubledQuote() {
            String sql = "CREATE TABLE \"odd;name\"\"x\" (\"a;b\" int); DROP TABLE \"odd;name\"\"x\"";
            assertEquals(List.of("CREATE TABLE \"odd;name\"\"x\" (\"a;b\" int)", "DROP TABLE \"odd;name\"\"x\""),
                    SqlScript.split(sql));
        }

        @Test
        void beginAtomicBodyIsOneStatement() {
            String fn = """
                    CREATE OR REPLACE PROCEDURE archive_orders(cutoff date)
                    LANGUAGE sql
                    BEGIN ATOMIC
                        INSERT INTO orders_archive SELECT * FROM orders WHERE placed_at < cutoff;
                        UPDATE stats SET label = CASE WHEN n > 0 THEN 'some' ELSE 'none' END;
                        DELETE FROM orders WHERE placed_at < cutoff;
                    END""";
            String fn2 = """
                    CREATE FUNCTION one() RETURNS int LANGUAGE sql
                    begin atomic
                      select 1;
                    end""";
            assertEquals(List.of(fn, fn2, "CALL archive_orders(now()::date)"),
                    SqlScript.split(fn + ";\n" + fn2 + ";\nCALL archive_orders(now()::date);"));
        }

        @Test
        void beginOutsideRoutinesIsATransactionStatement() {
            assertEquals(List.of("BEGIN", "SELECT 1", "END"), SqlScript.split("BEGIN; SELECT 1; END;"));
            assertEquals(List.of("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$SELECT 1$$", "SELECT 2"),
                    SqlScript.split("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$SELECT 1$$; SELECT 2;"));
        }

        @Test
        void unterminatedQuotesRunToTheEnd() {
            assertEquals(List.of("SELECT 1", "SELECT 'oops; SELECT 2"), SqlScript.split("SELECT 1; SELECT 'oops; SELECT 2"));
            assertEquals(List.of("SELECT $$x; y"), SqlScript.split("SELECT $$x; y"));
        }
    }

    @Nested
    class StripComments {

        @Test
        void replacesCommentsWithASpace() {
            assertEquals("SELECT   1  \n   FROM t", SqlScript.stripComments("SELECT /* a /* b */ c */ 1 -- x; 'y\n /**/ FROM t"));
        }

        @Test
        void leavesStringsIdentifiersAndDollarBodiesAlone() {
            String sql = "SELECT '-- not', E'/* not \\' */', \"/*id*/\", $f$ -- body $f$, $$/* x */$$";
            assertEquals(sql, SqlScript.stripComments(sql));
        }
    }

    @Nested
    class RequiresNoTransaction {

        @Test
        void statementsPostgresRefusesInATransaction() {
            for (String sql : List.of(
                    "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
                    "create unique index concurrently users_email_key on users (lower(email))",
                    "CREATE INDEX\n   CONCURRENTLY IF NOT EXISTS i ON t (a)",
                    "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx",
                    "REINDEX INDEX CONCURRENTLY users_email_idx",
                    "REINDEX (VERBOSE) INDEX CONCURRENTLY users_email_idx",
                    "REINDEX TABLE CONCURRENTLY users",
                    "REINDEX (CONCURRENTLY, VERBOSE) TABLE users",
                    "REINDEX SCHEMA public",
                    "REINDEX DATABASE app",
                    "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY",
                    "VACUUM",
                    "VACUUM (ANALYZE) users",
                    "vacuum full users",
                    "CREATE DATABASE app_test TEMPLATE template0",
                    "DROP DATABASE IF EXISTS app_test",
                    "ALTER SYSTEM SET work_mem = '64MB'",
                    "CREATE TABLESPACE fast LOCATION '/ssd/pg'",
                    "DROP TABLESPACE fast",
                    "CREATE SUBSCRIPTION sub CONNECTION 'host=primary dbname=app' PUBLICATION pub",
                    "DISCARD ALL",
                    "/* leading; comment */ -- another\n  CREATE  INDEX  CONCURRENTLY i ON t (a)")) {
                assertTrue(SqlScript.requiresNoTransaction(sql), sql);
            }
        }

        @Test
        void statementsThatRunInATransaction() {
            for (String sql : List.of(
                    "CREATE INDEX users_email_idx ON users (email)",
                    "CREATE INDEX concurrently_used_idx ON users (email)",
                    "DROP INDEX users_email_idx",
                    "REINDEX TABLE users",
                    "REINDEX (CONCURRENTLY false) INDEX users_email_idx",
                    "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals",
                    "ALTER TYPE mood ADD VALUE 'meh'",
                    "ALTER TABLE events DETACH PARTITION events_2024",
                    "ALTER TABLE events DETACH PARTITION events_2024 FINALIZE",
                    "ALTER TABLE users ADD COLUMN email text",
                    "ANALYZE users",
                    "CREATE TABLE vacuum_log (id int)",
                    "CREATE INDEX /* CONCURRENTLY */ i ON t (a)",
                    "CREATE INDEX -- CONCURRENTLY\n i ON t (a)",
                    "CREATE INDEX \"CONCURRENTLY\" ON t (a)",
                    "COMMENT ON TABLE users IS 'VACUUM; CREATE INDEX CONCURRENTLY'",
                    "SELECT 'DROP DATABASE x'",
                    "INSERT INTO log VALUES ($$VACUUM$$)",
                    "-- VACUUM\nSELECT 1",
                    "")) {
                assertFalse(SqlScript.requiresNoTransaction(sql), sql);
            }
        }
    }

    @Nested
    class EndsTransaction {

        @Test
        void commitRollbackEndAbortAndPrepareEndIt() {
            for (String sql : List.of("COMMIT", "commit work", "COMMIT AND CHAIN", "END", "end transaction", "ABORT",
                    "ROLLBACK", "rollback work", "ROLLBACK TRANSACTION", "PREPARE TRANSACTION 'x'", "/* done */ COMMIT")) {
                assertTrue(SqlScript.endsTransaction(sql), sql);
            }
        }

        @Test
        void savepointsBeginAndLookAlikesDoNot() {
            for (String sql : List.of("ROLLBACK TO SAVEPOINT s", "ROLLBACK TO s", "rollback work to savepoint s",
                    "SAVEPOINT s", "RELEASE SAVEPOINT s", "BEGIN", "INSERT INTO t VALUES ('COMMIT')",
                    "SELECT 1 AS commit", "UPDATE t SET x = CASE WHEN y THEN 1 END", "\"commit\"")) {
                assertFalse(SqlScript.endsTransaction(sql), sql);
            }
        }
    }

    @Nested
    class ConcurrentIndexNames {

        @Test
        void plainName() {
            assertEquals(List.of("users_email_idx"),
                    SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY Users_Email_IDX ON users (email)"));
        }

        @Test
        void uniqueAndIfNotExists() {
            assertEquals(List.of("users_email_key"), SqlScript.concurrentIndexNames(
                    "create unique index concurrently if not exists users_email_key on users using btree (lower(email))"));
        }

        @Test
        void quotedNameIsKeptVerbatim() {
            assertEquals(List.of("Users \"Email\" Idx"),
                    SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY \"Users \"\"Email\"\" Idx\" ON users (email)"));
        }

        @Test
        void schemaQualifiedNameYieldsLastPart() {
            assertEquals(List.of("Orders_Idx"),
                    SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY app.\"Orders_Idx\" ON app.orders (placed_at)"));
            assertEquals(List.of("orders_idx"),
                    SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY \"App\" . Orders_Idx ON app.orders (placed_at)"));
        }

        @Test
        void commentsAroundTheNameAreIgnored() {
            assertEquals(List.of("i"),
                    SqlScript.concurrentIndexNames("-- add index\nCREATE INDEX CONCURRENTLY /* name: */ i ON t (a)"));
        }

        @Test
        void longNamesAreTruncatedLikePostgres() {
            String name = "a".repeat(70);
            assertEquals(List.of("a".repeat(63)),
                    SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY " + name + " ON t (a)"));
        }

        @Test
        void emptyWhenUnnamedOrNotConcurrent() {
            assertEquals(List.of(), SqlScript.concurrentIndexNames("CREATE INDEX CONCURRENTLY ON users (email)"));
            assertEquals(List.of(), SqlScript.concurrentIndexNames("CREATE INDEX users_email_idx ON users (email)"));
            assertEquals(List.of(), SqlScript.concurrentIndexNames("DROP INDEX CONCURRENTLY users_email_idx"));
            assertEquals(List.of(), SqlScript.concurrentIndexNames("REINDEX INDEX CONCURRENTLY users_email_idx"));
            assertEquals(List.of(), SqlScript.concurrentIndexNames("SELECT 'CREATE INDEX CONCURRENTLY x ON t'"));
        }
    }

    @Nested
    class UnplacedExtension {

        SqlScript.UnplacedExtension of(String name, String version, boolean cascade) {
            return new SqlScript.UnplacedExtension(name, version, cascade);
        }

        @Test
        void findsCreateExtensionWithoutSchema() {
            assertEquals(Optional.of(of("pg_trgm", null, false)),
                    SqlScript.unplacedExtension("CREATE EXTENSION IF NOT EXISTS pg_trgm"));
            assertEquals(Optional.of(of("uuid-ossp", null, false)),
                    SqlScript.unplacedExtension("create extension \"uuid-ossp\""));
            assertEquals(Optional.of(of("hstore", "'1.8'", true)),
                    SqlScript.unplacedExtension("CREATE EXTENSION Hstore WITH VERSION '1.8' CASCADE"));
        }

        @Test
        void leavesStatementsThatPlaceTheExtensionOrAreSomethingElse() {
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("CREATE EXTENSION pg_trgm SCHEMA ext"));
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("CREATE EXTENSION pg_trgm WITH SCHEMA ${schema}"));
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("CREATE EXTENSION ${ext}"));
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("DROP EXTENSION pg_trgm"));
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("SELECT 'CREATE EXTENSION pg_trgm'"));
            assertEquals(Optional.empty(), SqlScript.unplacedExtension("CREATE EXTENSION \"odd'name\""));
        }
    }

    @Nested
    class Statements {

        @Test
        void eachStatementKnowsItsOffsetsAndTheLineItStartsOn() {
            String sql = "-- header\nBEGIN;\n\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n"
                    + "  RETURN 1;\nEND $$ ;\n/* c; */ SELECT ';' -- x\n;\nCOMMIT";

            List<SqlScript.Statement> statements = SqlScript.statements(sql);

            assertEquals(SqlScript.split(sql), statements.stream().map(SqlScript.Statement::text).toList());
            assertEquals(List.of(2, 4, 8, 10), statements.stream().map(SqlScript.Statement::line).toList());
            for (SqlScript.Statement st : statements) {
                assertTrue(sql.startsWith(st.text(), st.start()), st.toString());
            }
            assertEquals("BEGIN;", sql.substring(statements.get(0).start(), statements.get(0).end()));
            assertEquals("SELECT ';' -- x\n;", sql.substring(statements.get(2).start(), statements.get(2).end()));
            assertEquals(sql.length(), statements.get(3).end(), "no semicolon: the end of its text");
        }
    }
}
