package io.flotilla.testsupport;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The service started on a catalog whose second migration fails, and whose second seed file fails, to see failures
 * end to end over HTTP.
 */
public class FailingCatalogProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("flotilla.catalog.dir", "src/test/resources/catalogs/failing");
    }
}
