package io.flotilla.rollout;

import io.flotilla.lock.LockPolicy;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * How a rollout runs its companies: one record from the resource (validated by {@link RolloutService}) through the
 * planner, the stored rollout and the {@link RolloutWorker}, and back out in the {@link Rollout} and its API view.
 *
 * @param canary      requested: the first N companies with work run alone first (the canary wave); once planned
 *                    and stored: how many companies that wave holds (also when canaryIds chose them)
 * @param batchSize   companies per wave after the canary; null: one wave
 * @param maxParallel schemas in flight at once
 * @param maxFailures failed companies tolerated; one more stops new schemas from starting (0: stop at the first)
 * @param maxParallelPerServer schemas in flight at once on any one server; null: only maxParallel bounds them
 * @param maxFailuresPerServer failed companies tolerated on one server; one more and that server takes no more work
 *                             in this rollout while the others go on; null: only the fleet-wide maxFailures
 * @param onLockTimeout {@code fail} (a step that spent its lock budget fails its company) or {@code wait} (the
 *                      company waits, and is tried again after the others); null: fail
 * @param lockTimeouts  each attempt's lock_timeout ("100ms", "2s"), the last repeating; an empty list is one attempt
 *                      without lock_timeout (as Flyway runs); null: flotilla.locks.timeouts
 * @param lockBudget    time a step may spend on attempts ("30s"); null: flotilla.locks.budget
 * @param statementTimeout statement_timeout of every step ("10m", "0" for none); null: flotilla.locks.statement-timeout
 * @param deadline    after it no company starts; those not reached are cancelled with that reason and the rollout
 *                    ends (failed, naming them); null: none
 */
// "Strategy" in the contract, as before this record replaced Rollout.Strategy.
@Schema(name = "Strategy")
public record RolloutStrategy(int canary, @Schema(nullable = true) Integer batchSize, int maxParallel, int maxFailures,
                              @Schema(nullable = true) Integer maxParallelPerServer,
                              @Schema(nullable = true) Integer maxFailuresPerServer,
                              @Schema(nullable = true, enumeration = {FAIL, WAIT}) String onLockTimeout,
                              @Schema(nullable = true) List<String> lockTimeouts,
                              @Schema(nullable = true) String lockBudget,
                              @Schema(nullable = true) String statementTimeout,
                              @Schema(nullable = true, description = "After this instant no company starts; those not"
                                      + " reached are cancelled and the rollout ends") OffsetDateTime deadline) {

    /** {@code onLockTimeout}'s two values. */
    public static final String FAIL = "fail";
    public static final String WAIT = "wait";

    /** Without per-server bounds. */
    public RolloutStrategy(int canary, Integer batchSize, int maxParallel, int maxFailures) {
        this(canary, batchSize, maxParallel, maxFailures, null, null);
    }

    /** With the configured lock policy, failing a company whose step spends its lock budget. */
    public RolloutStrategy(int canary, Integer batchSize, int maxParallel, int maxFailures,
                           Integer maxParallelPerServer, Integer maxFailuresPerServer) {
        this(canary, batchSize, maxParallel, maxFailures, maxParallelPerServer, maxFailuresPerServer, FAIL, null, null,
                null, null);
    }

    /** Whether the deadline (if any) has passed at {@code now}. */
    public boolean pastDeadline(Instant now) {
        return deadline != null && !now.isBefore(deadline.toInstant());
    }

    /** Whether a company whose step spent its lock budget waits (tried again later) rather than fails. */
    public boolean waitsOnLockTimeout() {
        return WAIT.equals(onLockTimeout);
    }

    /**
     * What the strategy sets of the lock policy; its fields were checked by {@link RolloutService#validate}, so a bad
     * one here fails loudly.
     */
    public LockPolicy.Overrides lockOverrides() {
        List<Duration> timeouts = lockTimeouts == null ? null : LockPolicy.parseTimeouts(lockTimeouts).orElseThrow();
        Duration budget = lockBudget == null ? null : LockPolicy.parseDuration(lockBudget).orElseThrow();
        Duration statement = statementTimeout == null ? null : LockPolicy.parseDuration(statementTimeout).orElseThrow();
        return new LockPolicy.Overrides(timeouts, budget, statement);
    }

    /** The bound on one server's schemas in flight. */
    public int perServerParallel() {
        return maxParallelPerServer == null ? maxParallel : Math.min(maxParallel, maxParallelPerServer);
    }

    /** Whether a server with this many failed companies takes no more work in the rollout. */
    public boolean serverStopped(long failuresOnServer) {
        return maxFailuresPerServer != null && failuresOnServer > maxFailuresPerServer;
    }

    /** Whether the first wave is a canary that must succeed whole before the others start. */
    public boolean hasCanary() {
        return canary > 0;
    }

    /** The same strategy with the canary wave's actual size, as the rollout stores it. */
    RolloutStrategy withCanary(int companies) {
        return new RolloutStrategy(companies, batchSize, maxParallel, maxFailures, maxParallelPerServer,
                maxFailuresPerServer, onLockTimeout, lockTimeouts, lockBudget, statementTimeout, deadline);
    }
}
