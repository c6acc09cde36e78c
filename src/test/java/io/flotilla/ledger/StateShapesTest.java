package io.flotilla.ledger;

import io.flotilla.catalog.Version;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * company_shapes and state_shapes follow migration_state through every kind of change the service and an operator
 * make (insert, the ledger's upsert, update, delete), in the same statement; the planner's view of what is applied
 * is read from them.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StateShapesTest {

    @Inject
    DataSource ds;

    @Inject
    LedgerRepository ledger;

    void state(UUID company, String version, boolean applied, String checksum, boolean failed) {
        // As the ledger writes it: insert, or on conflict the new outcome.
        Sql.execute(ds, "INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, failed,"
                        + " ledger_id) VALUES (?, string_to_array(?, '.')::numeric[], ?, ?, ?, ?, 0)"
                        + " ON CONFLICT (company_id, version_key) DO UPDATE SET applied = EXCLUDED.applied,"
                        + " checksum = EXCLUDED.checksum, failed = EXCLUDED.failed",
                company, version, version, applied, checksum, failed);
    }

    Map<Version, String> applied(UUID company) {
        return ledger.applied(List.of(company)).await().indefinitely().getOrDefault(company, Map.of());
    }

    boolean failed(UUID company) {
        return Sql.column(ds, "SELECT failed::text FROM public.company_shapes WHERE company_id = ?", company).equals(List.of("true"));
    }

    @Test
    void shapesFollowEveryChangeOfTheState() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        // Two state rows in one statement, for two companies: one recomputation covers both.
        Sql.execute(ds, "INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, failed,"
                + " ledger_id) SELECT id, '{1}', '1', true, 'sum-1', false, 0 FROM unnest(ARRAY[?, ?]::uuid[]) id", a, b);
        state(a, "2", true, "sum-2", false);
        state(b, "2", true, "sum-2", false);
        assertEquals(Map.of(Version.parse("1"), "sum-1", Version.parse("2"), "sum-2"), applied(a));
        assertEquals(applied(a), applied(b));
        assertEquals(1, Sql.count(ds, "SELECT count(DISTINCT shape) FROM public.company_shapes WHERE company_id IN (?, ?)", a, b),
                "same versions, same checksums: one shape");

        // A failed attempt at an applied version leaves it applied (as the ledger's upsert does) and flags the company.
        Sql.execute(ds, "UPDATE public.migration_state SET failed = true WHERE company_id = ? AND version = '2'", a);
        assertTrue(failed(a));
        assertFalse(failed(b));
        assertEquals(applied(b), applied(a));

        // Rolled back: no longer applied.
        state(a, "2", false, null, false);
        assertEquals(Map.of(Version.parse("1"), "sum-1"), applied(a));
        assertFalse(failed(a));

        // Versions in version order (10 after 9), each with its own checksum; a changed checksum is another shape.
        state(c, "10", true, "sum-10", false);
        state(c, "9", true, "sum-9", false);
        assertEquals(List.of("{9,10}"), Sql.column(ds, "SELECT sh.versions::text FROM public.company_shapes cs"
                + " JOIN public.state_shapes sh USING (shape) WHERE cs.company_id = ?", c));
        state(b, "1", true, "changed", false);
        assertEquals(Map.of(Version.parse("1"), "changed", Version.parse("2"), "sum-2"), applied(b));

        // Deleted state: nothing applied.
        Sql.execute(ds, "DELETE FROM public.migration_state WHERE company_id = ?", b);
        assertEquals(Map.of(), applied(b));
        assertEquals(Map.of(Version.parse("1"), "sum-1"), applied(a));
    }
}
