package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The company lifecycle through Hibernate Reactive, checked against what is really in {@code public.companies}:
 * onboarding's row and schema in one transaction, duplicates, partial updates, soft delete, paging, and reads from
 * many threads at once (each in a session of its own).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class CompanyServiceTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    /** findAll's "no ids": every active company (a bare null would also match Panache's findAll(Sort)). */
    static final List<UUID> EVERY_ACTIVE = null;

    @Inject
    CompanyService companies;
    @Inject
    CompanyRepository repository;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    /** Inactive, so that onboarding applies nothing and the test is about the row. */
    Company onboard(String schema, Map<String, Object> settings) {
        CompanyService.Onboarded onboarded = companies.onboard(new CompanyService.NewCompany("Co " + schema, schema,
                "inactive", settings)).await().atMost(WAIT);
        assertNull(onboarded.apply(), "an inactive company gets no migrations");
        return onboarded.company();
    }

    static FlotillaException failure(Supplier<Uni<?>> call) {
        return assertThrows(FlotillaException.class, () -> call.get().await().atMost(WAIT));
    }

    @Test
    void onboardingStoresTheRowAsTheTableHoldsItAndCreatesTheSchema() {
        String schema = Sql.unique("svc");
        Company c = onboard(schema, Map.of("embedding_dimensions", 3072, "production", true, "region", "eu-west-1"));

        assertEquals("Co " + schema, c.companyName());
        assertEquals(CompanyStatus.INACTIVE, c.status());
        // Timestamps come from the table's defaults, read back after the insert, in UTC.
        assertNotNull(c.createdAt());
        assertEquals(ZoneOffset.UTC, c.createdAt().getOffset());
        assertEquals(c.createdAt(), c.updatedAt());
        assertNull(c.deletedAt());
        assertTrue(Sql.schemaExists(ds, schema));
        assertEquals(List.of("inactive"), Sql.column(ds, "SELECT status FROM public.companies WHERE id = ?", c.id()));
        assertEquals(List.of("3072"), Sql.column(ds,
                "SELECT settings->>'embedding_dimensions' FROM public.companies WHERE id = ?", c.id()));
        assertEquals(List.of("boolean"), Sql.column(ds,
                "SELECT jsonb_typeof(settings->'production') FROM public.companies WHERE id = ?", c.id()));

        // Read back by Hibernate and by the Vert.x row mapper (the joined reads): one and the same company.
        Company read = companies.get(c.id()).await().atMost(WAIT);
        assertEquals(c, read);
        assertTrue(read.production());
        Company row = pool.preparedQuery("SELECT " + CompanyRows.COLUMNS + " FROM public.companies WHERE id = $1")
                .execute(Tuple.of(c.id())).map(rows -> CompanyRows.from(rows.iterator().next())).await().atMost(WAIT);
        assertEquals(read, row);
    }

    @Test
    void anExistingSchemaFailsOnboardingAndTheRowIsRolledBackWithIt() {
        String schema = Sql.unique("svc_taken");
        Sql.execute(ds, "CREATE SCHEMA " + schema);

        FlotillaException e = failure(() -> companies.onboard(
                new CompanyService.NewCompany("Co " + schema, schema, "inactive", Map.of())));

        assertEquals(ErrorCode.SCHEMA_EXISTS, e.code());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE schema_name = ?", schema),
                "the insert and the CREATE SCHEMA are one transaction");
    }

    @Test
    void duplicateNamesAreRefusedByTheConstraintsAndCreateNoSchema() {
        String schema = Sql.unique("svc_dup");
        Company first = onboard(schema, Map.of());
        String other = Sql.unique("svc_dup");

        FlotillaException sameName = failure(() -> companies.onboard(
                new CompanyService.NewCompany(first.companyName(), other, "inactive", Map.of())));
        FlotillaException sameSchema = failure(() -> companies.onboard(
                new CompanyService.NewCompany("Co " + other, schema, "inactive", Map.of())));

        assertEquals(ErrorCode.COMPANY_NAME_TAKEN, sameName.code());
        assertEquals(ErrorCode.SCHEMA_NAME_TAKEN, sameSchema.code());
        assertFalse(Sql.schemaExists(ds, other));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.companies WHERE company_name = ?", "Co " + other));
    }

    @Test
    void updatesChangeOnlyWhatIsSentAndMoveUpdatedAt() {
        Company c = onboard(Sql.unique("svc_upd"), Map.of("tier", "gold"));

        Company active = companies.update(c.id(), "active", null).await().atMost(WAIT);
        assertEquals(CompanyStatus.ACTIVE, active.status());
        assertEquals(Map.of("tier", "gold"), active.settings());
        assertTrue(active.updatedAt().isAfter(c.updatedAt()));
        assertEquals(c.createdAt(), active.createdAt());

        Company resettled = companies.update(c.id(), null, Map.of("tier", "silver", "seats", 12)).await().atMost(WAIT);
        assertEquals(CompanyStatus.ACTIVE, resettled.status());
        assertEquals(Map.of("tier", "silver", "seats", 12), resettled.settings());

        assertEquals(ErrorCode.INVALID_REQUEST, failure(() -> companies.update(c.id(), null, null)).code());
        assertEquals(ErrorCode.INVALID_STATUS, failure(() -> companies.update(c.id(), "archived", null)).code());
        assertEquals(ErrorCode.COMPANY_NOT_FOUND,
                failure(() -> companies.update(UUID.randomUUID(), "active", null)).code());
        assertEquals(List.of("active"), Sql.column(ds, "SELECT status FROM public.companies WHERE id = ?", c.id()),
                "refused updates change nothing");
    }

    @Test
    void softDeleteIsSetOnceKeepsTheSchemaAndTakesTheCompanyOutOfTheFleet() {
        String schema = Sql.unique("svc_del");
        Company c = companies.update(onboard(schema, Map.of()).id(), "active", null).await().atMost(WAIT);
        assertTrue(repository.findAll(EVERY_ACTIVE).await().atMost(WAIT).contains(c));

        Company deleted = companies.softDelete(c.id()).await().atMost(WAIT);
        assertNotNull(deleted.deletedAt());
        assertFalse(deleted.migratable());
        Company again = companies.softDelete(c.id()).await().atMost(WAIT);
        assertEquals(deleted.deletedAt(), again.deletedAt(), "deleted_at is set once");

        assertTrue(Sql.schemaExists(ds, schema));
        assertEquals(c.id(), companies.get(c.id()).await().atMost(WAIT).id(), "a deleted company is still found by id");
        assertEquals(ErrorCode.COMPANY_NOT_FOUND, failure(() -> companies.update(c.id(), "inactive", null)).code());
        assertFalse(repository.findAll(EVERY_ACTIVE).await().atMost(WAIT).stream().anyMatch(x -> x.id().equals(c.id())));
        assertEquals(List.of(c.id()), repository.findAll(List.of(c.id())).await().atMost(WAIT).stream()
                .map(Company::id).toList(), "by id, any state: the caller decides");
        assertEquals(ErrorCode.COMPANY_NOT_FOUND, failure(() -> companies.softDelete(UUID.randomUUID())).code());
    }

    @Test
    void pagesAreOldestFirstWithTheTotalAlsoPastTheLastPage() {
        String prefix = Sql.unique("svc_page");
        List<Company> mine = List.of(onboard(prefix + "_a", Map.of()), onboard(prefix + "_b", Map.of()),
                onboard(prefix + "_c", Map.of()));
        companies.update(mine.get(1).id(), "suspended", null).await().atMost(WAIT);
        long suspended = Sql.count(ds, "SELECT count(*) FROM public.companies WHERE status = 'suspended'"
                + " AND deleted_at IS NULL");

        CompanyPage first = companies.list("suspended", false, 0, 500).await().atMost(WAIT);
        assertEquals(suspended, first.total());
        assertTrue(first.items().stream().allMatch(x -> x.status() == CompanyStatus.SUSPENDED));
        assertTrue(first.items().stream().anyMatch(x -> x.id().equals(mine.get(1).id())));

        long all = Sql.count(ds, "SELECT count(*) FROM public.companies WHERE deleted_at IS NULL");
        CompanyPage past = companies.list(null, false, 100_000, 2).await().atMost(WAIT);
        assertEquals(List.of(), past.items());
        assertEquals(all, past.total());

        List<UUID> oldestFirst = Sql.column(ds, "SELECT id FROM public.companies WHERE deleted_at IS NULL"
                + " ORDER BY created_at, id LIMIT 2 OFFSET 2").stream().map(UUID::fromString).toList();
        assertEquals(oldestFirst, companies.list(null, false, 1, 2).await().atMost(WAIT).items().stream()
                .map(Company::id).toList());
        assertEquals(ErrorCode.INVALID_REQUEST, failure(() -> companies.list(null, false, 0, 501)).code());
    }

    @Test
    void manyReadsAtOnceEachGetASessionOfTheirOwn() {
        Company c = onboard(Sql.unique("svc_many"), Map.of());

        // A fan-out as rollouts and maintenance do it: 40 reads, 8 in flight, continuing on each other's threads.
        List<Company> read = Multi.createFrom().range(0, 40)
                .onItem().transformToUni(i -> i % 2 == 0 ? companies.get(c.id())
                        : repository.findAll(List.of(c.id())).map(list -> list.get(0))).merge(8)
                .collect().asList().await().atMost(WAIT);

        assertEquals(40, read.size());
        assertTrue(read.stream().allMatch(c::equals));
    }
}
