package io.flotilla.verification;

import io.flotilla.catalog.LintRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Squawk's rules on their own, each where it fires and where it does not. "Existing" relations are what the scratch
 * catalog held before the migration: table t (and its index t_idx), partitioned table parted; any other name was
 * created in the same file, so it holds no rows yet.
 */
class SquawkRulesTest {

    static final String SCRATCH = ScriptRulesTest.SCRATCH;
    static final Map<String, String> EXISTING = Map.of("t", "r", "parted", "p", "mv", "m", "t_idx", "i");

    /** Findings of a transactional file as {@code rule:table@line}. */
    static List<String> check(String sql) {
        return check(sql, true);
    }

    static List<String> check(String sql, boolean transactional) {
        return SquawkRules.findings(sql, SCRATCH, EXISTING, transactional).stream()
                .map(f -> f.rule().id() + ":" + f.table() + "@" + f.line()).toList();
    }

    /** Only the findings of one rule, as {@code table@line}. */
    static List<String> check(LintRule rule, String sql) {
        return check(rule, sql, true);
    }

    static List<String> check(LintRule rule, String sql, boolean transactional) {
        return SquawkRules.findings(sql, SCRATCH, EXISTING, transactional).stream()
                .filter(f -> f.rule() == rule).map(f -> f.table() + "@" + f.line()).toList();
    }

    @Test
    void changingColumnType() {
        assertEquals(List.of("t@1"), check(LintRule.CHANGING_COLUMN_TYPE, "ALTER TABLE t ALTER COLUMN x TYPE bigint"));
        assertEquals(List.of("t@2"), check(LintRule.CHANGING_COLUMN_TYPE,
                "SELECT 1;\nalter table \"" + SCRATCH + "\".t alter x set data type text using x::text"));
        assertEquals(List.of(), check(LintRule.CHANGING_COLUMN_TYPE, "ALTER TABLE fresh ALTER COLUMN x TYPE bigint"),
                "a table made in this file is empty");
        assertEquals(List.of(), check(LintRule.CHANGING_COLUMN_TYPE, "ALTER TABLE t ALTER COLUMN x SET DEFAULT 1"));
        assertEquals(List.of(), check(LintRule.CHANGING_COLUMN_TYPE, "ALTER TABLE other.t ALTER COLUMN x TYPE int"),
                "another schema's t");
    }

    @Test
    void addingForeignKeyConstraint() {
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT,
                "ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id)"));
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT,
                "ALTER TABLE t ADD COLUMN u_id bigint REFERENCES u (id)"));
        assertEquals(List.of(), check(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT,
                "ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID"));
        assertEquals(List.of(), check(LintRule.ADDING_FOREIGN_KEY_CONSTRAINT,
                "CREATE TABLE fresh (id int);\nALTER TABLE fresh ADD FOREIGN KEY (id) REFERENCES t (id)"));
    }

    @Test
    void constraintMissingNotValid() {
        assertEquals(List.of("t@1"), check(LintRule.CONSTRAINT_MISSING_NOT_VALID,
                "ALTER TABLE t ADD CONSTRAINT t_x_check CHECK (x > 0)"));
        assertEquals(List.of(), check(LintRule.CONSTRAINT_MISSING_NOT_VALID,
                "ALTER TABLE t ADD CONSTRAINT t_x_check CHECK (x > 0) NOT VALID"));
        // Validated in the same transaction, the ADD's lock is held through the scan; in the next migration, it is not.
        String both = "ALTER TABLE t ADD CONSTRAINT t_x_check CHECK (x > 0) NOT VALID;\n"
                + "ALTER TABLE t VALIDATE CONSTRAINT t_x_check;";
        assertEquals(List.of("t@2"), check(LintRule.CONSTRAINT_MISSING_NOT_VALID, both));
        assertEquals(List.of(), check(LintRule.CONSTRAINT_MISSING_NOT_VALID, both, false));
        assertEquals(List.of(), check(LintRule.CONSTRAINT_MISSING_NOT_VALID, "ALTER TABLE t VALIDATE CONSTRAINT t_x_check"));
    }

    @Test
    void disallowedUniqueConstraint() {
        assertEquals(List.of("t@1"), check(LintRule.DISALLOWED_UNIQUE_CONSTRAINT,
                "ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE (x)"));
        assertEquals(List.of("t@1"), check(LintRule.DISALLOWED_UNIQUE_CONSTRAINT, "ALTER TABLE t ADD COLUMN c text UNIQUE"));
        assertEquals(List.of(), check(LintRule.DISALLOWED_UNIQUE_CONSTRAINT,
                "ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE USING INDEX t_x_idx"));
        assertEquals(List.of(), check(LintRule.DISALLOWED_UNIQUE_CONSTRAINT,
                "CREATE TABLE fresh (x int);\nALTER TABLE fresh ADD CONSTRAINT fresh_x_key UNIQUE (x)"));
    }

    @Test
    void addingSerialPrimaryKeyField() {
        assertEquals(List.of("t@1"), check(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD, "ALTER TABLE t ADD PRIMARY KEY (id)"));
        assertEquals(List.of("t@1"), check(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD,
                "ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY"));
        assertEquals(List.of(), check(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD,
                "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx"));
        assertEquals(List.of(), check(LintRule.ADDING_SERIAL_PRIMARY_KEY_FIELD, "ALTER TABLE fresh ADD PRIMARY KEY (id)"));
    }

    @Test
    void requireConcurrentIndexDeletion() {
        assertEquals(List.of("null@1"), check(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION, "DROP INDEX t_idx"));
        assertEquals(List.of("null@1"), check(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION,
                "DROP INDEX IF EXISTS \"" + SCRATCH + "\".t_idx, other_idx"));
        assertEquals(List.of(), check(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION, "DROP INDEX CONCURRENTLY t_idx", false));
        assertEquals(List.of(), check(LintRule.REQUIRE_CONCURRENT_INDEX_DELETION,
                "CREATE INDEX fresh_idx ON t (x);\nDROP INDEX fresh_idx"), "an index made in this file");
    }

    @Test
    void addingNotNullableField() {
        assertEquals(List.of("t@1"), check(LintRule.ADDING_NOT_NULLABLE_FIELD, "ALTER TABLE t ALTER COLUMN x SET NOT NULL"));
        assertEquals(List.of(), check(LintRule.ADDING_NOT_NULLABLE_FIELD, "ALTER TABLE fresh ALTER x SET NOT NULL"));
        assertEquals(List.of(), check(LintRule.ADDING_NOT_NULLABLE_FIELD, "ALTER TABLE t ALTER COLUMN x DROP NOT NULL"));
    }

    @Test
    void addingFieldWithDefault() {
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FIELD_WITH_DEFAULT,
                "ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid()"));
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FIELD_WITH_DEFAULT,
                "ALTER TABLE t ADD COLUMN r float8 NOT NULL DEFAULT random() CHECK (r > 0)"));
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FIELD_WITH_DEFAULT,
                "ALTER TABLE t ADD COLUMN s numeric GENERATED ALWAYS AS (x * 2) STORED"));
        assertEquals(List.of("t@1"), check(LintRule.ADDING_FIELD_WITH_DEFAULT, "ALTER TABLE t ADD COLUMN n bigserial"));
        assertEquals(List.of(), check(LintRule.ADDING_FIELD_WITH_DEFAULT,
                "ALTER TABLE t ADD COLUMN a int DEFAULT 10, ADD COLUMN b jsonb NOT NULL DEFAULT '{}'::jsonb,"
                        + " ADD COLUMN c timestamptz DEFAULT now(), ADD COLUMN d numeric DEFAULT 1::numeric(10, 2),"
                        + " ADD COLUMN e text DEFAULT 'random()'"));
        assertEquals(List.of(), check(LintRule.ADDING_FIELD_WITH_DEFAULT,
                "ALTER TABLE fresh ADD COLUMN id uuid DEFAULT gen_random_uuid()"));
    }

    @Test
    void renamingColumnAndTable() {
        assertEquals(List.of("t@1"), check(LintRule.RENAMING_COLUMN, "ALTER TABLE t RENAME COLUMN a TO b"));
        assertEquals(List.of("t@1"), check(LintRule.RENAMING_COLUMN, "ALTER TABLE t RENAME a TO b"));
        assertEquals(List.of(), check(LintRule.RENAMING_COLUMN, "ALTER TABLE t RENAME CONSTRAINT a TO b"));
        assertEquals(List.of(), check(LintRule.RENAMING_COLUMN, "ALTER TABLE fresh RENAME a TO b"));
        assertEquals(List.of("t@1"), check(LintRule.RENAMING_TABLE, "ALTER TABLE t RENAME TO t2"));
        assertEquals(List.of(), check(LintRule.RENAMING_TABLE, "ALTER TABLE t RENAME a TO b"));
        assertEquals(List.of(), check(LintRule.RENAMING_TABLE, "ALTER TABLE fresh RENAME TO fresh2"));
    }

    @Test
    void banDropColumnTableAndNotNull() {
        assertEquals(List.of("t@1"), check(LintRule.BAN_DROP_COLUMN, "ALTER TABLE t DROP COLUMN x"));
        assertEquals(List.of("t@1"), check(LintRule.BAN_DROP_COLUMN, "ALTER TABLE t DROP IF EXISTS x CASCADE"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_COLUMN, "ALTER TABLE t DROP CONSTRAINT t_x_check"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_COLUMN, "ALTER TABLE fresh DROP COLUMN x"));
        assertEquals(List.of("t@1", "parted@1"), check(LintRule.BAN_DROP_TABLE, "DROP TABLE IF EXISTS t, parted, fresh"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_TABLE, "CREATE TABLE fresh (x int);\nDROP TABLE fresh"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_TABLE, "DROP TABLE other.t"));
        assertEquals(List.of("t@1"), check(LintRule.BAN_DROP_NOT_NULL, "ALTER TABLE t ALTER COLUMN x DROP NOT NULL"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_NOT_NULL, "ALTER TABLE t ALTER COLUMN x DROP DEFAULT"));
    }

    @Test
    void banDropDatabaseAndTruncateCascade() {
        assertEquals(List.of("null@1"), check(LintRule.BAN_DROP_DATABASE, "DROP DATABASE IF EXISTS other"));
        assertEquals(List.of(), check(LintRule.BAN_DROP_DATABASE, "DROP TABLE fresh"));
        assertEquals(List.of("t@1"), check(LintRule.BAN_TRUNCATE_CASCADE, "TRUNCATE TABLE t CASCADE"));
        assertEquals(List.of(), check(LintRule.BAN_TRUNCATE_CASCADE, "TRUNCATE t RESTART IDENTITY"));
    }

    @Test
    void domains() {
        assertEquals(List.of("null@1"), check(LintRule.BAN_CREATE_DOMAIN_WITH_CONSTRAINT,
                "CREATE DOMAIN positive AS int CHECK (VALUE > 0)"));
        assertEquals(List.of(), check(LintRule.BAN_CREATE_DOMAIN_WITH_CONSTRAINT, "CREATE DOMAIN label AS text"));
        assertEquals(List.of("null@1"), check(LintRule.BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT,
                "ALTER DOMAIN positive ADD CONSTRAINT p CHECK (VALUE > 0)"));
        assertEquals(List.of(), check(LintRule.BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT, "ALTER DOMAIN positive DROP NOT NULL"));
    }

    @Test
    void identifierTooLong() {
        String long64 = "a".repeat(64);
        assertEquals(List.of("null@1"), check(LintRule.IDENTIFIER_TOO_LONG, "CREATE TABLE fresh (" + long64 + " bigint)"));
        assertEquals(List.of("null@1"), check(LintRule.IDENTIFIER_TOO_LONG,
                "CREATE INDEX \"" + "é".repeat(32) + "\" ON fresh (x)"), "64 bytes in 32 characters");
        assertEquals(List.of(), check(LintRule.IDENTIFIER_TOO_LONG, "CREATE TABLE fresh (" + "a".repeat(63) + " bigint)"));
        assertEquals(List.of(), check(LintRule.IDENTIFIER_TOO_LONG, "COMMENT ON TABLE t IS '" + long64 + "'"));
    }

    @Test
    void preferRobustStmts() {
        assertEquals(List.of("t@1", "null@2"), check(LintRule.PREFER_ROBUST_STMTS,
                "CREATE INDEX CONCURRENTLY t_x ON t (x);\nDROP INDEX CONCURRENTLY t_idx", false));
        assertEquals(List.of(), check(LintRule.PREFER_ROBUST_STMTS,
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\nDROP INDEX CONCURRENTLY IF EXISTS t_idx", false));
        assertEquals(List.of("t@1"), check(LintRule.PREFER_ROBUST_STMTS, "ALTER TABLE t ADD COLUMN y bigint", false));
        assertEquals(List.of(), check(LintRule.PREFER_ROBUST_STMTS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS y bigint", false));
        assertEquals(List.of(), check(LintRule.PREFER_ROBUST_STMTS, "CREATE TABLE fresh (x bigint)"),
                "a transactional file is retried whole");
    }

    @Test
    void columnTypes() {
        assertEquals(List.of(
                        "prefer-identity:fresh@1", "prefer-bigint-over-int:fresh@1", "prefer-bigint-over-smallint:fresh@1",
                        "prefer-text-field:fresh@1", "prefer-text-field:fresh@1", "ban-char-field:fresh@1",
                        "prefer-timestamptz:fresh@1", "prefer-timestamptz:fresh@1"),
                check("CREATE TABLE IF NOT EXISTS fresh (id serial, a integer, b int2, c varchar(10),"
                        + " d character varying(5), e char(2), f timestamp, g timestamp(3) without time zone,"
                        + " CONSTRAINT fresh_c CHECK (c <> 'int'))"));
        assertEquals(List.of(), check("CREATE TABLE fresh (id bigint GENERATED ALWAYS AS IDENTITY, a bigint, c text,"
                + " d varchar, f timestamptz, g timestamp(3) with time zone, h numeric(10, 2), PRIMARY KEY (id))"));
        assertEquals(List.of("prefer-bigint-over-int:t@1"), check("ALTER TABLE t ADD COLUMN n int"));
    }

    @Test
    void everyStatementIsReadWithTheLexer() {
        assertEquals(List.of(), check("-- DROP TABLE t;\nCOMMENT ON TABLE t IS 'ALTER TABLE t DROP COLUMN x; DROP TABLE t';\n"
                + "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;"));
    }
}
