package io.flotilla.rollout;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.Target;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * A rollout request: the one shape from the resource (through {@link #parse}) to the planner and the stored
 * rollout. {@link RolloutService#validate} checks the strategy's bounds before anything is planned.
 *
 * @param companyIds the companies to touch; empty means every active company
 * @param canaryIds  companies that form the canary wave (then {@code strategy.canary} is ignored); among companyIds
 * @param strategy   waves, parallelism and failure threshold, with the API's defaults already in
 */
public record RolloutSpec(Target target, List<UUID> companyIds, List<UUID> canaryIds, RolloutStrategy strategy,
                          boolean allowDrift) {

    public RolloutSpec {
        companyIds = companyIds == null ? List.of() : List.copyOf(companyIds);
        canaryIds = canaryIds == null ? List.of() : List.copyOf(canaryIds);
    }

    /**
     * The spec of a request body as stored with the rollout ({@code POST /rollouts}' JSON, fields absent when not
     * given), with the API's defaults filled in: no canary, one wave, {@code defaultMaxParallel}, stop at the first
     * failure. The resource reads a request through it, and a scheduled rollout its stored request when it starts.
     */
    public static RolloutSpec fromRequest(JsonObject body, int defaultMaxParallel) {
        JsonObject s = body.getJsonObject("strategy", new JsonObject());
        JsonArray timeouts = s.getJsonArray("lockTimeouts");
        RolloutStrategy strategy = new RolloutStrategy(s.getInteger("canary", 0), s.getInteger("batchSize"),
                s.getInteger("maxParallel", defaultMaxParallel), s.getInteger("maxFailures", 0),
                s.getInteger("maxParallelPerServer"), s.getInteger("maxFailuresPerServer"),
                s.getString("onLockTimeout", RolloutStrategy.FAIL),
                timeouts == null ? null : timeouts.stream().map(t -> t == null ? null : t.toString()).toList(),
                s.getString("lockBudget"), s.getString("statementTimeout"), deadline(s.getValue("deadline")));
        return parse(body.getString("direction"), body.getString("targetVersion"), body.getString("status"),
                uuids(body.getJsonArray("companyIds")), uuids(s.getJsonArray("canaryIds")), strategy,
                body.getBoolean("allowDrift", false));
    }

    /** An RFC 3339 instant with its offset ("2026-12-08T06:00:00Z"); 400 otherwise. */
    private static OffsetDateTime deadline(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.toString());
        } catch (DateTimeParseException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "strategy.deadline must be an instant with its offset"
                    + " such as \"2026-12-08T06:00:00Z\"; got '" + value + "'");
        }
    }

    private static List<UUID> uuids(JsonArray ids) {
        return ids == null ? null : ids.stream().map(id -> UUID.fromString(id.toString())).toList();
    }

    /** The spec of a request's fields as clients write them; fails on a direction, version or status it refuses. */
    public static RolloutSpec parse(String direction, String targetVersion, String status, List<UUID> companyIds,
                                    List<UUID> canaryIds, RolloutStrategy strategy, boolean allowDrift) {
        Direction parsed;
        try {
            parsed = direction == null ? Direction.UP : Direction.parse(direction);
        } catch (IllegalArgumentException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "direction must be 'up' or 'down'; got '" + direction + "'");
        }
        Version version = targetVersion == null || targetVersion.isBlank() ? null : Version.parse(targetVersion);
        if (parsed == Direction.DOWN && version == null) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "a down rollout needs targetVersion: the version to"
                    + " roll back to (0 undoes everything)");
        }
        if (status != null && !status.equals("active")) {
            throw new FlotillaException(ErrorCode.INVALID_STATUS, "only active companies are migrated; status may only be 'active'");
        }
        return new RolloutSpec(new Target(parsed, version), companyIds, canaryIds, strategy, allowDrift);
    }

    /** Whether the plan's first wave is a canary. */
    public boolean hasCanary() {
        return strategy.hasCanary() || !canaryIds.isEmpty();
    }
}
