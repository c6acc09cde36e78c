package io.flotilla.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** flotilla.catalog.extension-schema: a schema every search path may name, checked before the service starts. */
class ExtensionSchemaTest {

    @Test
    void publicAndPlainLowerCaseNamesAreUsable() {
        assertEquals("public", TenantExecutor.sharedSchema("public"));
        assertEquals("extensions", TenantExecutor.sharedSchema("extensions"));
        assertEquals("shared_2", TenantExecutor.sharedSchema("shared_2"));
    }

    @Test
    void anythingThatWouldNeedQuotingOrBelongsToPostgresOrFlotillaStopsTheStart() {
        for (String bad : new String[] {"", "Extensions", "ext-ensions", "ext;drop", "\"x\"", "pg_catalog",
                "information_schema", SchemaNames.SCRATCH_PREFIX + "x", "a".repeat(64), null}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TenantExecutor.sharedSchema(bad),
                    String.valueOf(bad));
            assertTrue(e.getMessage().startsWith("flotilla.catalog.extension-schema '" + bad + "' is not a usable"),
                    e.getMessage());
        }
    }
}
