package io.flotilla.maintenance;

import io.flotilla.catalog.MigrationScript;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaintenanceRenderTest {

    @Test
    void schemaIsQuotedOtherPlaceholdersStayAsWritten() {
        MigrationScript job = MigrationScript.unchecked("tidy.sql",
                "DELETE FROM ${schema}.events WHERE kind = '${kind}';\nANALYZE ${schema}.events;");
        assertEquals("DELETE FROM \"we\"\"ird\".events WHERE kind = '${kind}';\nANALYZE \"we\"\"ird\".events;",
                MaintenanceService.render(job, "we\"ird"));
    }
}
