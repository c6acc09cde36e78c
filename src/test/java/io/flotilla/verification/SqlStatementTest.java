package io.flotilla.verification;

import io.flotilla.sql.SqlScript;
import io.flotilla.verification.SqlStatement.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The statement classifier: what a statement is and which objects it names. */
class SqlStatementTest {

    static final String SCRATCH = ScriptRulesTest.SCRATCH;

    static SqlStatement classify(String sql) {
        return SqlStatement.classify(sql, 1, SCRATCH);
    }

    @Test
    void kindsAndTargets() {
        assertEquals(Kind.ALTER_TABLE, classify("ALTER TABLE IF EXISTS ONLY t * ADD x int").kind());
        assertEquals(List.of("t"), classify("ALTER TABLE IF EXISTS ONLY t * ADD x int").targets());
        assertEquals(List.of("Odd"), classify("alter table \"" + SCRATCH + "\".\"Odd\" add x int").targets());
        assertEquals(List.of(), classify("ALTER TABLE other.t ADD x int").targets());
        assertEquals(Kind.CREATE_TABLE, classify("CREATE UNLOGGED TABLE IF NOT EXISTS t (x int)").kind());
        assertEquals(List.of("t"), classify("CREATE TEMP TABLE t (x int)").targets());
        assertEquals(Kind.CREATE_INDEX, classify("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY t (x)").kind());
        assertEquals(List.of("t"), classify("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY t (x)").targets());
        assertEquals(List.of("a", "b"), classify("DROP INDEX CONCURRENTLY IF EXISTS a, b CASCADE").targets());
        assertEquals(Kind.DROP_TABLE, classify("DROP TABLE a").kind());
        assertEquals(List.of("a"), classify("DROP TABLE a, other.b").targets());
        assertEquals(List.of("a", "b"), classify("TRUNCATE TABLE ONLY a, b CASCADE").targets());
        assertEquals(Kind.DROP_DATABASE, classify("DROP DATABASE x").kind());
        assertEquals(Kind.CREATE_DOMAIN, classify("CREATE DOMAIN d AS int").kind());
        assertEquals(Kind.ALTER_DOMAIN, classify("ALTER DOMAIN d SET DEFAULT 1").kind());
        assertEquals(Kind.OTHER, classify("ROLLBACK TO SAVEPOINT s").kind());
        assertEquals(Kind.OTHER, classify("CREATE VIEW v AS SELECT 1").kind());
        assertEquals(Kind.OTHER, classify("SELECT 'DROP TABLE t'").kind());
    }

    @Test
    void actionsAndColumns() {
        SqlStatement alter = classify("ALTER TABLE t ADD COLUMN a numeric(10, 2) DEFAULT 0, DROP COLUMN b");
        assertEquals(List.of(List.of("ADD", "COLUMN", "a", "numeric", "(", "10", ",", "2", ")", "DEFAULT", "0"),
                List.of("DROP", "COLUMN", "b")), alter.actions());
        SqlStatement create = classify("CREATE TABLE t (a int, b text[] DEFAULT '{}', CONSTRAINT c CHECK (a > 0),"
                + " PRIMARY KEY (a)) PARTITION BY RANGE (a)");
        assertEquals(List.of("a", "b"), create.columns().stream().map(c -> c.get(0)).toList());
        assertEquals(List.of(), classify("CREATE TABLE t AS SELECT 1").columns());
    }

    @Test
    void statementsKnowTheirLine() {
        List<SqlScript.Statement> statements = SqlScript.statements("-- a comment\nSELECT 1;\nSELECT ';\n';\n/* two\n"
                + "lines */ CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1;\n$$;\n");
        assertEquals(List.of("SELECT 1", "SELECT ';\n'", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1;\n$$"),
                statements.stream().map(SqlScript.Statement::text).toList());
        assertEquals(List.of(2, 3, 6), statements.stream().map(SqlScript.Statement::line).toList());
    }
}
