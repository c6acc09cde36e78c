package io.flotilla.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/**
 * The rules the lint checks (tenant isolation, and Squawk's rules about locks and lost data), by the names files use
 * in {@code -- flotilla:lint-waive} and {@code flotilla-lint.properties}. The names live here, next to the directive
 * parser, so that a waiver naming an unknown rule is a catalog problem; the checks themselves live in
 * {@code io.flotilla.verification}.
 */
public enum LintRule {
    /** Every table has a {@code tenant_id} column, and it is NOT NULL. */
    TENANT_ID_NOT_NULL("tenant-id-not-null", LintLevel.ERROR),
    /** Some index (a primary key or unique constraint counts) has {@code tenant_id} as its first column. */
    TENANT_INDEX("tenant-index", LintLevel.ERROR),
    /** Row-level security is enabled on the table. */
    RLS_ENABLED("rls-enabled", LintLevel.ERROR),
    /** The table has at least one row-level security policy. */
    HAS_POLICY("has-policy", LintLevel.ERROR),
    /** {@code CREATE INDEX} on a table an earlier migration created says {@code CONCURRENTLY}. */
    CREATE_INDEX_CONCURRENTLY("create-index-concurrently", LintLevel.ERROR),
    /** {@code ALTER TABLE … ADD COLUMN … NOT NULL} on an existing table gives a {@code DEFAULT}. */
    ADD_COLUMN_NOT_NULL_DEFAULT("add-column-not-null-default", LintLevel.ERROR),

    // Squawk's rules (https://squawkhq.com), under Squawk's names; "existing" means an earlier migration made it.
    /** {@code ALTER COLUMN … TYPE} on an existing table: a rewrite under an ACCESS EXCLUSIVE lock. */
    CHANGING_COLUMN_TYPE("changing-column-type", LintLevel.ERROR),
    /** A foreign key added to an existing table without {@code NOT VALID}. */
    ADDING_FOREIGN_KEY_CONSTRAINT("adding-foreign-key-constraint", LintLevel.ERROR),
    /** A CHECK added to an existing table without {@code NOT VALID}, or validated in the same transaction. */
    CONSTRAINT_MISSING_NOT_VALID("constraint-missing-not-valid", LintLevel.ERROR),
    /** A UNIQUE constraint added to an existing table other than {@code USING INDEX}. */
    DISALLOWED_UNIQUE_CONSTRAINT("disallowed-unique-constraint", LintLevel.ERROR),
    /** A primary key added to an existing table other than {@code USING INDEX}. */
    ADDING_SERIAL_PRIMARY_KEY_FIELD("adding-serial-primary-key-field", LintLevel.ERROR),
    /** {@code DROP INDEX} of an existing index without {@code CONCURRENTLY}. */
    REQUIRE_CONCURRENT_INDEX_DELETION("require-concurrent-index-deletion", LintLevel.ERROR),
    /** {@code ALTER COLUMN … SET NOT NULL} on an existing table. */
    ADDING_NOT_NULLABLE_FIELD("adding-not-nullable-field", LintLevel.ERROR),
    /** A column added to an existing table with a volatile default, a generated value or a serial type. */
    ADDING_FIELD_WITH_DEFAULT("adding-field-with-default", LintLevel.ERROR),
    /** A column of an existing table renamed. */
    RENAMING_COLUMN("renaming-column", LintLevel.ERROR),
    /** An existing table renamed. */
    RENAMING_TABLE("renaming-table", LintLevel.ERROR),
    /** A column of an existing table dropped. */
    BAN_DROP_COLUMN("ban-drop-column", LintLevel.ERROR),
    /** An existing table dropped. */
    BAN_DROP_TABLE("ban-drop-table", LintLevel.ERROR),
    /** {@code ALTER COLUMN … DROP NOT NULL} on an existing table. */
    BAN_DROP_NOT_NULL("ban-drop-not-null", LintLevel.ERROR),
    /** {@code DROP DATABASE}. */
    BAN_DROP_DATABASE("ban-drop-database", LintLevel.ERROR),
    /** {@code TRUNCATE … CASCADE}. */
    BAN_TRUNCATE_CASCADE("ban-truncate-cascade", LintLevel.ERROR),
    /** {@code CREATE DOMAIN … CHECK/CONSTRAINT}. */
    BAN_CREATE_DOMAIN_WITH_CONSTRAINT("ban-create-domain-with-constraint", LintLevel.ERROR),
    /** {@code ALTER DOMAIN … ADD CONSTRAINT}. */
    BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT("ban-alter-domain-with-add-constraint", LintLevel.ERROR),
    /** An identifier longer than PostgreSQL's 63 bytes, which it silently truncates. */
    IDENTIFIER_TOO_LONG("identifier-too-long", LintLevel.ERROR),
    /** In a file without a transaction, a create/drop without {@code IF [NOT] EXISTS}, so a retry fails. */
    PREFER_ROBUST_STMTS("prefer-robust-stmts", LintLevel.WARNING),
    /** {@code serial} types rather than identity columns. */
    PREFER_IDENTITY("prefer-identity", LintLevel.WARNING),
    /** {@code int}/{@code integer} columns rather than {@code bigint}. */
    PREFER_BIGINT_OVER_INT("prefer-bigint-over-int", LintLevel.WARNING),
    /** {@code smallint} columns rather than {@code bigint}. */
    PREFER_BIGINT_OVER_SMALLINT("prefer-bigint-over-smallint", LintLevel.WARNING),
    /** {@code varchar(n)} columns rather than {@code text} (with a CHECK on the length). */
    PREFER_TEXT_FIELD("prefer-text-field", LintLevel.WARNING),
    /** {@code char(n)} columns. */
    BAN_CHAR_FIELD("ban-char-field", LintLevel.WARNING),
    /** {@code timestamp} (without time zone) columns rather than {@code timestamptz}. */
    PREFER_TIMESTAMPTZ("prefer-timestamptz", LintLevel.WARNING);

    private final String id;
    private final LintLevel defaultLevel;

    LintRule(String id, LintLevel defaultLevel) {
        this.id = id;
        this.defaultLevel = defaultLevel;
    }

    /** The level when the catalog's {@code flotilla-lint.properties} does not set one. */
    public LintLevel defaultLevel() {
        return defaultLevel;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public static Optional<LintRule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equalsIgnoreCase(id)).findFirst();
    }
}
