package io.flotilla.testsupport;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The refresh job on a two-second cron, to see Quartz itself fire it. */
public class FastMaintenanceProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("flotilla.maintenance.\"refresh-materialized-views\".cron", "0/2 * * * * ?",
                "flotilla.maintenance.\"vacuum-analyze\".enabled", "false");
    }
}
