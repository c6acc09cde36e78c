package io.flotilla.adoption;

import io.flotilla.adoption.AdoptionService.AdoptRequest;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.tenant.CompanyService.NewCompany;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A measurement, not a check (not named *Test, so the suite does not run it): how long adopting one schema takes,
 * one after another, for {@code FLOTILLA_MEASURE_SCHEMAS} (50) golang-migrate schemas of the sample catalog's shape
 * (seven versions, RLS, a materialized view): read, plan, verify (a scratch build each) and record. The figure a bulk
 * adopt job starts from. Run with {@code mvn -Dtest=AdoptionMeasurement test}.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AdoptionMeasurement {

    @Inject
    AdoptionService adoption;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    @Test
    void adoptSchemasOneAfterAnother() throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("FLOTILLA_MEASURE_SCHEMAS", "50"));
        // The sample catalog, renamed into golang-migrate's layout, so that schema_migrations is what is read.
        List<String> ups = new ArrayList<>();
        try (var files = Files.list(Path.of("migrations"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("\\d{3}_.*\\.sql")).sorted().toList()) {
                String name = f.getFileName().toString();
                Files.writeString(dir.resolve(Integer.parseInt(name.substring(0, 3)) + "_" + name.substring(4)
                        .replace(".sql", ".up.sql")), Files.readString(f));
                ups.add(Files.readString(f));
            }
        }
        MigrationCatalog catalog = MigrationResolver.resolve(dir, true).orThrow();
        List<String> schemas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String schema = Sql.unique("adopt_m");
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema + "; SET search_path TO " + schema);
                for (String up : ups) {
                    s.execute(up.replace("${schema}", "\"" + schema + "\"").replace("${embedding_dimensions}", "1536"));
                }
                s.execute("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);"
                        + " INSERT INTO schema_migrations VALUES (" + ups.size() + ", false); RESET search_path");
            }
            schemas.add(schema);
        }
        List<Long> millis = new ArrayList<>();
        long all = System.nanoTime();
        for (String schema : schemas) {
            long one = System.nanoTime();
            var adopted = adoption.adopt(new AdoptRequest(new NewCompany("Co " + schema, schema, null, Map.of(), null),
                    false, null, null), catalog).await().atMost(Duration.ofMinutes(1));
            millis.add((System.nanoTime() - one) / 1_000_000);
            assertEquals(ups.size(), adopted.versions().size(), adopted.verification().toString());
        }
        long total = (System.nanoTime() - all) / 1_000_000;
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf("ADOPTION MEASUREMENT: %d schemas of %d versions adopted one after another in %d ms:"
                        + " median %d ms, p90 %d ms, max %d ms%n", n, ups.size(), total, sorted.get(n / 2),
                sorted.get(n * 9 / 10), sorted.get(n - 1));
    }
}
