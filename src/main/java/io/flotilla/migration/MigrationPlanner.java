package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.RepeatableState;
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
     * @param repeatables the repeatable migrations to run after the steps, in name order: only on an up run that
     *                    leaves the schema at the catalog's latest version, those whose checksum differs from the one
     *                    last applied (never applied, or last run failed: absent from what is applied)
     */
    public record Plan(String schema, Target target, List<Migration> steps, List<Version> drifted,
                       List<Version> noRollback, List<Version> unknown, List<Repeatable> repeatables) {

        /** The script each step runs, for the plan's direction, then the repeatables'. */
        public List<MigrationScript> scripts() {
            List<MigrationScript> scripts = new ArrayList<>(steps.stream().map(m -> script(m, target.direction())).toList());
            repeatables.forEach(r -> scripts.add(r.script()));
            return scripts;
        }

        /** Whether the run has anything to do. */
        public boolean hasWork() {
            return !steps.isEmpty() || !repeatables.isEmpty();
        }

        /** The same plan for another schema (companies of one shape share their plan). */
        public Plan forSchema(String other) {
            return other.equals(schema) ? this : new Plan(other, target, steps, drifted, noRollback, unknown, repeatables);
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

    /** {@link #plan(String, MigrationCatalog, Map, Map, Target)} for a schema where no repeatable was ever applied. */
    public static Plan plan(String schema, MigrationCatalog catalog, Map<Version, String> applied, Target target) {
        return plan(schema, catalog, applied, Map.of(), target);
    }

    /**
     * Plans a run on {@code schema}, given the versions applied there and the checksum each was applied with, and the
     * checksum each repeatable migration was last applied with (by name).
     */
    public static Plan plan(String schema, MigrationCatalog catalog, Map<Version, String> applied,
                            Map<String, String> repeatablesApplied, Target target) {
        List<Version> drifted = catalog.migrations().stream()
                .filter(m -> applied.containsKey(m.version()) && !m.checksum().equals(applied.get(m.version())))
                .map(Migration::version).toList();
        if (target.direction() == Direction.UP) {
            List<Migration> up = catalog.migrations().stream().filter(m -> target.covers(m.version()))
                    .filter(m -> !applied.containsKey(m.version())).toList();
            // Repeatables follow a run that ends at the latest version (every version up to it is applied or a step).
            boolean reachesLatest = catalog.latest().map(target::covers).orElse(true);
            List<Repeatable> repeatables = !reachesLatest ? List.of() : catalog.repeatables().stream()
                    .filter(r -> !r.checksum().equals(repeatablesApplied.get(r.name()))).toList();
            return new Plan(schema, target, up, drifted, List.of(), List.of(), repeatables);
        }
        List<Version> unknown = applied.keySet().stream()
                .filter(v -> target.covers(v) && catalog.find(v).isEmpty()).sorted().toList();
        List<Migration> down = new ArrayList<>(catalog.migrations().stream()
                .filter(m -> target.covers(m.version()) && applied.containsKey(m.version())).toList());
        List<Version> noRollback = down.stream().filter(m -> m.rollback().isEmpty()).map(Migration::version).toList();
        Collections.reverse(down);
        return new Plan(schema, target, List.copyOf(down), drifted, noRollback, unknown, List.of());
    }

    /** {@link #plan(String, MigrationCatalog, Map, Target)} from the schema's ledger history. */
    public static Plan planFromHistory(String schema, MigrationCatalog catalog, Map<Version, VersionHistory> history,
                                       Target target) {
        return plan(schema, catalog, applied(catalog, history), target);
    }

    /** {@link #plan(String, MigrationCatalog, Map, Map, Target)} from the schema's ledger history and repeatable state. */
    public static Plan planFromHistory(String schema, MigrationCatalog catalog, Map<Version, VersionHistory> history,
                                       Map<String, RepeatableState> repeatables, Target target) {
        return plan(schema, catalog, applied(catalog, history), appliedRepeatables(repeatables), target);
    }

    /**
     * Each repeatable's checksum as last applied; one whose last run failed is left out, so it runs again (as a failed
     * version does), even when its file is back at the text last applied.
     */
    public static Map<String, String> appliedRepeatables(Map<String, RepeatableState> repeatables) {
        Map<String, String> applied = new TreeMap<>();
        repeatables.forEach((name, state) -> {
            if (state.applied() && !state.failed()) {
                applied.put(name, state.checksum().trim());
            }
        });
        return applied;
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
