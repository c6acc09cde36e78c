package io.flotilla.verification;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The statement rules on their own: how SQL is read, with no database involved. */
class ScriptRulesTest {

    static final String SCRATCH = "flotilla_scratch_0123456789abcdef";
    static final Map<String, String> EXISTING = Map.of("t", "r", "Mixed", "r", "parted", "p", "mv", "m");

    static List<String> check(String sql) {
        // The rules read the rendered text (the scratch schema in place of ${schema}); the migration only labels it.
        Migration m = new Migration(Version.parse("2"), "x", MigrationScript.unchecked("002_x.sql", sql), null);
        return ScriptRules.check(m, sql, SCRATCH, EXISTING).stream().map(v -> v.rule().id() + ":" + v.table()).toList();
    }

    @Test
    void createIndexOnAnExistingTable() {
        assertEquals(List.of("create-index-concurrently:t"), check("create index t_x on t (x)"));
        assertEquals(List.of("create-index-concurrently:t"), check("CREATE UNIQUE INDEX IF NOT EXISTS t_x ON ONLY t (x)"));
        assertEquals(List.of("create-index-concurrently:t"), check("CREATE INDEX ON \"" + SCRATCH + "\".t USING btree (x)"));
        assertEquals(List.of("create-index-concurrently:Mixed"), check("CREATE INDEX m_x ON \"Mixed\" (x)"));
        assertEquals(List.of("create-index-concurrently:mv"), check("CREATE INDEX mv_x ON mv (x)"));
        assertEquals(List.of(), check("CREATE INDEX CONCURRENTLY t_x ON t (x)"));
        assertEquals(List.of(), check("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x)"));
        assertEquals(List.of(), check("CREATE INDEX m_x ON mixed (x)"), "mixed is not \"Mixed\"");
        assertEquals(List.of(), check("CREATE INDEX n_x ON new_table (x)"), "not created by an earlier migration");
        assertEquals(List.of(), check("CREATE INDEX o_x ON other.t (x)"), "another schema's t");
        assertEquals(List.of(), check("CREATE INDEX p_x ON ONLY parted (x)"), "the way to index a partitioned table");
        assertEquals(List.of(), check("-- CREATE INDEX t_x ON t (x)\nSELECT 'CREATE INDEX t_x ON t (x)'"));
    }

    @Test
    void addColumnNotNullWithoutDefault() {
        assertEquals(List.of("add-column-not-null-default:t"), check("ALTER TABLE t ADD COLUMN x int NOT NULL"));
        assertEquals(List.of("add-column-not-null-default:t"), check("alter table if exists only t add x numeric(10, 2) not null"));
        assertEquals(List.of("add-column-not-null-default:t"), check("ALTER TABLE t ADD COLUMN id int PRIMARY KEY"));
        assertEquals(List.of("add-column-not-null-default:t", "add-column-not-null-default:t"),
                check("ALTER TABLE t ADD COLUMN a int NOT NULL, ADD COLUMN b int DEFAULT 1, ADD COLUMN c text NOT NULL"));
        assertEquals(List.of(), check("ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0"));
        assertEquals(List.of(), check("ALTER TABLE t ADD COLUMN x int"));
        assertEquals(List.of(), check("ALTER TABLE t ADD COLUMN x bigserial NOT NULL"));
        assertEquals(List.of(), check("ALTER TABLE t ADD COLUMN x int NOT NULL GENERATED ALWAYS AS IDENTITY"));
        assertEquals(List.of(), check("ALTER TABLE t ADD CONSTRAINT c CHECK (x IS NOT NULL)"));
        assertEquals(List.of(), check("ALTER TABLE t ALTER COLUMN x SET NOT NULL"));
        assertEquals(List.of(), check("ALTER TABLE new_table ADD COLUMN x int NOT NULL"), "created in this file");
        assertEquals(List.of("add-column-not-null-default:t"),
                check("ALTER TABLE t ADD COLUMN s text NOT NULL CHECK (s <> 'DEFAULT')"), "a keyword in a string is text");
    }
}
