package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.VersionHistory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one decision of what a run does to a schema: catalog × applied versions × target → the steps in order, with
 * the drift and rollback checks as data. Pure (no database): the migrator plans under the schema's lock, the
 * rollout planner for the whole fleet before anything runs, verification and the dry run alike, all with this.
 */
public final class MigrationPlanner {

    private MigrationPlanner() {
    }

    /**
     * One schema's plan.
     *
     * @param steps      the migrations to run, in order: pending ones up to the target (up), or applied ones above
     *                   it from the top (down)
     * @param drifted    applied versions whose file changed since
     * @param noRollback (down) versions to undo that have no rollback file
     * @param unknown    (down) versions to undo that are applied but no longer in the catalog
     */
    public record Plan(String schema, Target target, List<Migration> steps, List<Version> drifted,
                       List<Version> noRollback, List<Version> unknown) {

        /** The script each step runs, for the plan's direction. */
        public List<MigrationScript> scripts() {
            return steps.stream().map(m -> script(m, target.direction())).toList();
        }

        public List<Version> versions() {
            return steps.stream().map(Migration::version).toList();
        }

        public boolean rollbackPossible() {
            return noRollback.isEmpty() && unknown.isEmpty();
        }

        /** The steps, or the refusal: a drifted schema (unless allowed), then a rollback that cannot be done. */
        public List<Migration> stepsOrThrow(boolean allowDrift) {
            if (!drifted.isEmpty() && !allowDrift) {
                List<String> versions = strings(drifted);
                throw new FlotillaException(ErrorCode.DRIFT_DETECTED, "Schema '" + schema + "' has versions "
                        + String.join(", ", versions) + " applied from files that have changed since;"
                        + " restore the files or pass allowDrift=true", Map.of("versions", versions));
            }
            if (!rollbackPossible()) {
                throw rollbackRefusal();
            }
            return steps;
        }

        /** Why this schema cannot be rolled back to the target (only when {@link #rollbackPossible()} is false). */
        public FlotillaException rollbackRefusal() {
            List<String> noFile = strings(noRollback);
            List<String> gone = strings(unknown);
            return new FlotillaException(ErrorCode.ROLLBACK_MISSING, "Cannot roll schema '" + schema
                    + "' back to " + target.version() + ": "
                    + (noFile.isEmpty() ? "" : "versions " + String.join(", ", noFile) + " have no rollback file")
                    + (gone.isEmpty() ? "" : (noFile.isEmpty() ? "" : "; ") + "versions " + String.join(", ", gone)
                    + " are applied but no longer in the catalog"), Map.of("versions", noFile, "missing", gone));
        }
    }

    /** Plans a run on {@code schema}, given the versions applied there and the checksum each was applied with. */
    public static Plan plan(String schema, MigrationCatalog catalog, Map<Version, String> applied, Target target) {
        List<Version> drifted = catalog.migrations().stream()
                .filter(m -> applied.containsKey(m.version()) && !m.checksum().equals(applied.get(m.version())))
                .map(Migration::version).toList();
        if (target.direction() == Direction.UP) {
            List<Migration> up = catalog.migrations().stream().filter(m -> target.covers(m.version()))
                    .filter(m -> !applied.containsKey(m.version())).toList();
            return new Plan(schema, target, up, drifted, List.of(), List.of());
        }
        List<Version> unknown = applied.keySet().stream()
                .filter(v -> target.covers(v) && catalog.find(v).isEmpty()).sorted().toList();
        List<Migration> down = new ArrayList<>(catalog.migrations().stream()
                .filter(m -> target.covers(m.version()) && applied.containsKey(m.version())).toList());
        List<Version> noRollback = down.stream().filter(m -> m.rollback().isEmpty()).map(Migration::version).toList();
        Collections.reverse(down);
        return new Plan(schema, target, List.copyOf(down), drifted, noRollback, unknown);
    }

    /** {@link #plan(String, MigrationCatalog, Map, Target)} from the schema's ledger history. */
    public static Plan planFromHistory(String schema, MigrationCatalog catalog, Map<Version, VersionHistory> history,
                                       Target target) {
        return plan(schema, catalog, applied(catalog, history), target);
    }

    /**
     * Applied versions and the checksum each was applied with. A version whose last attempt failed (or is still
     * running) counts as applied only if an earlier apply settled it. A step whose file changed only in layout (the
     * same statements, say a goose file's up section now a file of its own) counts as applied with the file as it is
     * now: a catalog renamed into another layout is not drift.
     */
    static Map<Version, String> applied(MigrationCatalog catalog, Map<Version, VersionHistory> history) {
        Map<Version, String> applied = new TreeMap<>();
        history.forEach((v, h) -> {
            if (h.applied()) {
                applied.put(v, catalog.find(v).filter(m -> h.settled().ran(m.up())).map(Migration::checksum)
                        .orElse(h.settled().checksum().trim()));
            }
        });
        return applied;
    }

    /** The script a step runs in a direction: the migration, or its rollback. */
    public static MigrationScript script(Migration m, Direction direction) {
        return direction == Direction.UP ? m.up() : m.rollback().orElseThrow();
    }

    /** A target version an up run cannot reach because the catalog lacks it. */
    public static void checkTarget(MigrationCatalog catalog, Target target) {
        if (target.version() != null && target.direction() == Direction.UP && catalog.find(target.version()).isEmpty()) {
            throw new FlotillaException(ErrorCode.MIGRATION_NOT_FOUND, "The catalog has no version " + target.version());
        }
    }

    private static List<String> strings(List<Version> versions) {
        return versions.stream().map(Version::toString).toList();
    }
}
