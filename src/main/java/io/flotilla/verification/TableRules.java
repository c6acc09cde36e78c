package io.flotilla.verification;

import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.Migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rules every tenant table must meet, judged on what the catalog built, not on how its SQL reads. */
final class TableRules {

    static final String TENANT_ID = "tenant_id";

    private TableRules() {
    }

    /** {@code createdBy}: the migration that created the table, named in each violation (null if unknown). */
    static List<LintViolation> check(TableShape table, Migration createdBy) {
        String name = table.name();
        List<LintViolation> found = new ArrayList<>();
        Optional<TableShape.Column> tenantId = table.column(TENANT_ID);
        if (tenantId.isEmpty()) {
            found.add(violation(LintRule.TENANT_ID_NOT_NULL, table, createdBy,
                    "table " + name + " has no tenant_id column, so its rows belong to no tenant"));
        } else if (!tenantId.get().notNull()) {
            found.add(violation(LintRule.TENANT_ID_NOT_NULL, table, createdBy, "tenant_id of table " + name
                    + " is nullable: a row without a tenant matches no tenant's policy"));
        }
        if (!table.hasIndexLeadingWith(TENANT_ID)) {
            found.add(violation(LintRule.TENANT_INDEX, table, createdBy, "no index of table " + name
                    + " leads with tenant_id (a primary key or unique constraint on (tenant_id, …) counts),"
                    + " so every per-tenant query scans the whole table"));
        }
        if (!table.rowSecurity()) {
            found.add(violation(LintRule.RLS_ENABLED, table, createdBy, "row-level security is not enabled on table "
                    + name + " (ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY), so its policies are ignored"));
        }
        if (table.policies() == 0) {
            found.add(violation(LintRule.HAS_POLICY, table, createdBy, "table " + name
                    + " has no row-level security policy" + (table.rowSecurity()
                    ? ": with row-level security on, it shows no rows to anyone but its owner" : "")));
        }
        return found;
    }

    private static LintViolation violation(LintRule rule, TableShape table, Migration createdBy, String message) {
        return new LintViolation(rule, table.name(), createdBy == null ? null : createdBy.version().toString(),
                createdBy == null ? null : createdBy.up().file(), message);
    }
}
