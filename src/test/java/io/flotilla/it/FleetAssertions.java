package io.flotilla.it;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SQL checks that a set of companies went through the sample catalog (versions 1..7) exactly once. */
public final class FleetAssertions {

    public static final int VERSIONS = 7;
    public static final List<String> TABLES = List.of("conversations", "messages", "feedback", "usage_metrics", "ai_config");

    private FleetAssertions() {
    }

    /** Exactly one applied ledger row per company × version 1..7, none missing, nothing left running. */
    public static void assertLedgerExactlyOnce(ItDatabase db, UUID[] companies, Supplier<String> logs) {
        int n = companies.length;
        List<Map<String, Object>> duplicates = db.query("SELECT c.schema_name, l.version, count(*) AS n"
                + " FROM public.migration_ledger l JOIN public.companies c ON c.id = l.company_id"
                + " WHERE l.status = 'applied' AND l.company_id = ANY(?) GROUP BY 1, 2 HAVING count(*) <> 1"
                + " ORDER BY 1, 2 LIMIT 20", (Object) companies);
        assertTrue(duplicates.isEmpty(), "company×version with more than one applied ledger row: " + duplicates
                + logs.get());
        List<Map<String, Object>> missing = db.query("SELECT c.schema_name, v::text AS version FROM public.companies c"
                + " CROSS JOIN generate_series(1, " + VERSIONS + ") v WHERE c.id = ANY(?) AND NOT EXISTS (SELECT 1"
                + " FROM public.migration_ledger l WHERE l.company_id = c.id AND l.version = v::text"
                + " AND l.status = 'applied') ORDER BY 1, 2 LIMIT 20", (Object) companies);
        assertTrue(missing.isEmpty(), "company×version without an applied ledger row: " + missing + logs.get());
        assertEquals((long) n * VERSIONS, db.queryLong("SELECT count(*) FROM public.migration_ledger"
                + " WHERE status = 'applied' AND company_id = ANY(?)", (Object) companies),
                "applied ledger rows" + logs.get());
        List<Map<String, Object>> running = db.query("SELECT id, schema_name, version, executed_by, started_at"
                + " FROM public.migration_ledger WHERE status = 'running' ORDER BY id LIMIT 20");
        assertTrue(running.isEmpty(), "ledger rows left 'running': " + running + logs.get());
    }

    /** migration_state says applied (and not failed) for every company × version. */
    public static void assertStateApplied(ItDatabase db, UUID[] companies, Supplier<String> logs) {
        int n = companies.length;
        assertEquals((long) n * VERSIONS, db.queryLong("SELECT count(*) FROM public.migration_state"
                        + " WHERE applied AND company_id = ANY(?)", (Object) companies),
                "migration_state rows with applied=true" + logs.get());
        List<Map<String, Object>> odd = db.query("SELECT company_id, version, applied, failed, error"
                + " FROM public.migration_state WHERE company_id = ANY(?) AND (NOT applied OR failed) LIMIT 20",
                (Object) companies);
        assertTrue(odd.isEmpty(), "migration_state rows not applied or flagged failed: " + odd + logs.get());
    }

    /** Every company's schema has the five tables, the materialized view and a valid version-7 index. */
    public static void assertSchemasComplete(ItDatabase db, UUID[] companies, Supplier<String> logs) {
        int n = companies.length;
        List<Map<String, Object>> incomplete = db.query("SELECT c.schema_name, count(t.table_name) AS tables"
                + " FROM public.companies c LEFT JOIN information_schema.tables t ON t.table_schema = c.schema_name"
                + " AND t.table_type = 'BASE TABLE' AND t.table_name = ANY(?)"
                + " WHERE c.id = ANY(?) GROUP BY 1 HAVING count(t.table_name) <> " + TABLES.size() + " LIMIT 20",
                TABLES.toArray(String[]::new), companies);
        assertTrue(incomplete.isEmpty(), "schemas without all of " + TABLES + ": " + incomplete + logs.get());
        assertEquals(n, db.queryLong("SELECT count(*) FROM pg_matviews m JOIN public.companies c"
                        + " ON c.schema_name = m.schemaname WHERE c.id = ANY(?)", (Object) companies),
                "schemas with the materialized view" + logs.get());
        assertEquals(n, db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                        + " JOIN pg_namespace ns ON ns.oid = ic.relnamespace JOIN public.companies c ON c.schema_name = ns.nspname"
                        + " WHERE ic.relname = 'messages_tenant_role_created_idx' AND i.indisvalid AND c.id = ANY(?)",
                (Object) companies), "schemas with a valid messages_tenant_role_created_idx (version 7)" + logs.get());
        List<String> invalid = db.column("SELECT ns.nspname || '.' || ic.relname FROM pg_index i"
                + " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace ns ON ns.oid = ic.relnamespace"
                + " WHERE NOT i.indisvalid LIMIT 20", String.class);
        assertTrue(invalid.isEmpty(), "invalid indexes left behind (interrupted CREATE INDEX CONCURRENTLY): " + invalid
                + logs.get());
    }

    public static void assertFullyMigrated(ItDatabase db, List<UUID> companies, Supplier<String> logs) {
        UUID[] ids = companies.toArray(UUID[]::new);
        assertLedgerExactlyOnce(db, ids, logs);
        assertStateApplied(db, ids, logs);
        assertSchemasComplete(db, ids, logs);
    }
}
