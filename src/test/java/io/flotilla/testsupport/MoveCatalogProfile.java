package io.flotilla.testsupport;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The service on a small catalog made for moves: a sequence, a table without a primary key, a materialized view. */
public class MoveCatalogProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("flotilla.catalog.dir", "src/test/resources/catalogs/moves",
                "flotilla.moves.poll-interval", "50ms");
    }
}
