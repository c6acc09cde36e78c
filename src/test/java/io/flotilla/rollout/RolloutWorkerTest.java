package io.flotilla.rollout;

import io.flotilla.sql.AdvisoryLocks;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker on its own: rollouts left in the database by another replica, as that replica's crash (or its live
 * lock) leaves them, with no API call to start them. Against the real PostgreSQL and the worker's own polling.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RolloutWorkerTest {

    @Inject
    DataSource ds;

    @Inject
    RolloutWorker worker;

    /** Companies with empty schemas; their ids. */
    List<UUID> fleet(String prefix, int n) {
        return Sql.companies(ds, prefix, n);
    }

    /**
     * A rollout as its owner left it: every company to the latest version, two per wave, the owner's heartbeat an
     * hour old. {@code statuses} are the companies' target statuses, in order.
     */
    void leftBehind(UUID id, String state, List<UUID> companies, List<String> statuses) {
        Sql.execute(ds, "INSERT INTO public.rollouts (id, direction, state, batch_size, max_parallel, max_failures,"
                        + " total_targets, waves, current_wave, owner, heartbeat_at, request, started_at)"
                        + " VALUES (?, 'up', ?, 2, 2, 0, ?, ?, 1, 'dead-replica/0000', now() - interval '1 hour', '{}',"
                        + " now() - interval '2 hours')",
                id, state, companies.size(), (companies.size() + 1) / 2);
        for (int i = 0; i < companies.size(); i++) {
            Sql.execute(ds, "INSERT INTO public.rollout_targets (rollout_id, company_id, schema_name, wave, position,"
                            + " status, versions) SELECT ?, id, schema_name, ?, ?, ?, '{1,2,3,4,5,6,7}'"
                            + " FROM public.companies WHERE id = ?",
                    id, i / 2, i, statuses.get(i), companies.get(i));
        }
    }

    long applied(UUID company) {
        return Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE company_id = ? AND status = 'applied'",
                company);
    }

    String column(UUID rollout, String column) {
        return Sql.column(ds, "SELECT " + column + "::text FROM public.rollouts WHERE id = ?", rollout).get(0);
    }

    @Test
    void aStaleOwnersRolloutIsTakenOverOnlyOnceItsLockIsFreeAndFinishesWhereItStopped() throws Exception {
        List<UUID> companies = fleet("takeover", 4);
        UUID id = UUID.randomUUID();
        try (Connection owner = ds.getConnection()) {
            // The owner's session still holds the rollout's lock: a stale heartbeat alone must not hand it over.
            try (PreparedStatement lock = owner.prepareStatement("SELECT pg_advisory_lock(?, hashtext(?))")) {
                lock.setInt(1, AdvisoryLocks.ROLLOUT_NAMESPACE);
                lock.setString(2, id.toString());
                lock.execute();
            }
            // Company 0 finished before the owner stopped, company 1 was in flight, wave 1 had not started.
            leftBehind(id, "running", companies, List.of("succeeded", "running", "pending", "pending"));

            // A rollout started later through the API is run by a poll that also saw this one; once it has
            // finished, the worker has had its chance at the locked one.
            List<UUID> others = fleet("bystander", 1);
            String other = given().contentType("application/json").body(Map.of("companyIds", others))
                    .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
            Await.until("the other rollout to finish", () -> "succeeded".equals(column(UUID.fromString(other), "state")));
            assertEquals("dead-replica/0000", column(id, "owner"), "a locked rollout is left to its owner");
            assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?", id));
            // As if the owner's session ended: the pool keeps this connection, so let go of the lock explicitly.
            try (PreparedStatement unlock = owner.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
                unlock.setInt(1, AdvisoryLocks.ROLLOUT_NAMESPACE);
                unlock.setString(2, id.toString());
                unlock.execute();
            }
        }
        // The lock is free: the next poll takes the rollout over.
        worker.kick();
        Await.until("the rollout to be taken over and finish", () -> "succeeded".equals(column(id, "state")));

        assertEquals(0, applied(companies.get(0)), "a company the old owner finished is not run again");
        for (UUID c : companies.subList(1, 4)) {
            assertEquals(RolloutTest.VERSIONS, applied(c), "company " + c);
        }
        assertEquals(3 * RolloutTest.VERSIONS, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?", id));
        assertTrue(Sql.count(ds, "SELECT count(*) FROM public.rollouts WHERE id = ? AND heartbeat_at > now() - interval '10 minutes'"
                + " AND owner IS NULL AND finished_at IS NOT NULL", id) == 1, "the new owner heartbeat, then let go");
        given().get("/api/v1/rollouts/{id}", id.toString()).then().statusCode(200)
                .body("targets.succeeded", equalTo(4))
                .body("strategy.batchSize", equalTo(2))
                .body("strategy.maxParallel", equalTo(2));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ? AND active", id),
                "its companies are released");
    }

    @Test
    void aCancelledRolloutWhoseOwnerDiedBeforeReleasingIsReleasedWithoutRunningAnything() {
        List<UUID> companies = fleet("released", 3);
        UUID id = UUID.randomUUID();
        // Cancelled through the API of another replica, whose owner died before it closed the rollout.
        leftBehind(id, "cancelled", companies, List.of("succeeded", "pending", "pending"));
        worker.kick();
        Await.until("the companies to be released", () -> Sql.count(ds,
                "SELECT count(*) FROM public.rollout_targets WHERE rollout_id = ? AND active", id) == 0);

        assertEquals("cancelled", column(id, "state"));
        assertEquals(List.of("cancelled", "cancelled", "succeeded"), Sql.column(ds, "SELECT status FROM public.rollout_targets"
                + " WHERE rollout_id = ? ORDER BY status", id));
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?", id));
        for (UUID c : companies) {
            assertEquals(0, applied(c));
        }
    }
}
