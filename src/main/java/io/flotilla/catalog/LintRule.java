package io.flotilla.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/**
 * The tenant-isolation rules the lint checks, by the names files use in {@code -- flotilla:lint-waive}. The names
 * live here, next to the directive parser, so that a waiver naming an unknown rule is a catalog problem; the checks
 * themselves live in {@code io.flotilla.verification}.
 */
public enum LintRule {
    /** Every table has a {@code tenant_id} column, and it is NOT NULL. */
    TENANT_ID_NOT_NULL("tenant-id-not-null"),
    /** Some index (a primary key or unique constraint counts) has {@code tenant_id} as its first column. */
    TENANT_INDEX("tenant-index"),
    /** Row-level security is enabled on the table. */
    RLS_ENABLED("rls-enabled"),
    /** The table has at least one row-level security policy. */
    HAS_POLICY("has-policy"),
    /** {@code CREATE INDEX} on a table an earlier migration created says {@code CONCURRENTLY}. */
    CREATE_INDEX_CONCURRENTLY("create-index-concurrently"),
    /** {@code ALTER TABLE … ADD COLUMN … NOT NULL} on an existing table gives a {@code DEFAULT}. */
    ADD_COLUMN_NOT_NULL_DEFAULT("add-column-not-null-default");

    private final String id;

    LintRule(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public static Optional<LintRule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equalsIgnoreCase(id)).findFirst();
    }
}
