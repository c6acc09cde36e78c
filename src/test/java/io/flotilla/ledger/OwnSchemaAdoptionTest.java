package io.flotilla.ledger;

import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's own tables on a database an earlier system left behind: public.companies with rows and no
 * Flyway history. Two replicas start at once; both must come up, and the rows must stay as they were.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OwnSchemaAdoptionTest {

    @Inject
    DataSource ds;

    @Test
    void twoReplicasAdoptALegacyCompaniesTableTogether() {
        String db = Sql.unique("adopt");
        Sql.execute(ds, "CREATE DATABASE " + db);
        try {
            PGSimpleDataSource legacy = dataSource(db);
            // The table as the earlier system made it: no settings column, one tenant row.
            Sql.execute(legacy, "CREATE TABLE public.companies (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
                    + " company_name varchar(255) NOT NULL UNIQUE, schema_name varchar(100) NOT NULL UNIQUE,"
                    + " status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','suspended')),"
                    + " created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),"
                    + " deleted_at timestamptz NULL)");
            Sql.execute(legacy, "INSERT INTO public.companies (company_name, schema_name, status, created_at)"
                    + " VALUES ('Legacy Corp', 'legacy_corp', 'suspended', '2020-01-01T00:00:00Z')");

            CompletableFuture<?> a = CompletableFuture.runAsync(() -> flyway(legacy).migrate());
            CompletableFuture<?> b = CompletableFuture.runAsync(() -> flyway(legacy).migrate());
            CompletableFuture.allOf(a, b).join();

            assertEquals(List.of("Legacy Corp|legacy_corp|suspended|2020-01-01|{}"), Sql.column(legacy,
                    "SELECT company_name || '|' || schema_name || '|' || status || '|' || (created_at AT TIME ZONE 'UTC')::date"
                            + " || '|' || settings::text FROM public.companies"));
            assertTrue(Sql.count(legacy, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'migration_ledger'") == 1);
            // Baselined below V1, then every script of Flotilla's own schema applied once.
            List<String> expected = new java.util.ArrayList<>(List.of("0"));
            expected.addAll(ownVersions());
            assertEquals(expected, Sql.column(legacy,
                    "SELECT version FROM public." + config("quarkus.flyway.table") + " WHERE success ORDER BY installed_rank"));
        } finally {
            Sql.execute(ds, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** The versions of Flotilla's own scripts in order, as Flyway records them (branches may leave gaps). */
    static List<String> ownVersions() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/flotilla"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).sorted().map(String::valueOf).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Flyway flyway(DataSource target) {
        // The same settings the service starts with, read from its configuration.
        return Flyway.configure().dataSource(target)
                .locations(config("quarkus.flyway.locations"))
                .table(config("quarkus.flyway.table"))
                .schemas(config("quarkus.flyway.schemas"))
                .baselineOnMigrate(Boolean.parseBoolean(config("quarkus.flyway.baseline-on-migrate")))
                .baselineVersion(config("quarkus.flyway.baseline-version"))
                .load();
    }

    static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    static PGSimpleDataSource dataSource(String db) {
        var config = ConfigProvider.getConfig();
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setServerNames(new String[]{config.getValue("DB_HOST", String.class)});
        pg.setPortNumbers(new int[]{config.getValue("DB_PORT", Integer.class)});
        pg.setDatabaseName(db);
        pg.setUser(config.getValue("DB_USER", String.class));
        pg.setPassword(config.getOptionalValue("DB_PASSWORD", String.class).orElse(""));
        return pg;
    }
}
