package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Layout;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.ledger.LedgerEntry;
import io.flotilla.ledger.StepStatus;
import io.flotilla.ledger.VersionHistory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one plan of a run, catalog × applied × target, without a database. */
class MigrationPlannerTest {

    /** Versions 1..4; 3 has no rollback file. */
    private static final MigrationCatalog CATALOG = new MigrationCatalog(Path.of("migrations"), Layout.values()[0],
            List.of(migration(1, true), migration(2, true), migration(3, false), migration(4, true)));

    private static Migration migration(int v, boolean withRollback) {
        return new Migration(Version.parse(String.valueOf(v)), "m" + v, script(v + "_m.sql", "CREATE TABLE t" + v + " (id int);"),
                withRollback ? script(v + "_m.down.sql", "DROP TABLE t" + v + ";") : null);
    }

    private static MigrationScript script(String file, String sql) {
        return MigrationResolver.parse(file, sql, true, new ArrayList<>());
    }

    private static Map<Version, String> applied(int... versions) {
        Map<Version, String> applied = new LinkedHashMap<>();
        for (int v : versions) {
            applied.put(Version.parse(String.valueOf(v)), CATALOG.find(Version.parse(String.valueOf(v))).orElseThrow().checksum());
        }
        return applied;
    }

    private static Target up(String version) {
        return new Target(Direction.UP, version == null ? null : Version.parse(version));
    }

    private static Target down(String version) {
        return new Target(Direction.DOWN, Version.parse(version));
    }

    private static List<String> versions(MigrationPlanner.Plan plan) {
        return plan.versions().stream().map(Version::toString).toList();
    }

    @Test
    void upTakesThePendingVersionsInOrderUpToTheTarget() {
        assertEquals(List.of("1", "2", "3", "4"), versions(MigrationPlanner.plan("s", CATALOG, Map.of(), Target.latest())));
        assertEquals(List.of("3", "4"), versions(MigrationPlanner.plan("s", CATALOG, applied(1, 2), Target.latest())));
        assertEquals(List.of("2", "3"), versions(MigrationPlanner.plan("s", CATALOG, applied(1), up("3"))));
        // A hole is filled: 2 is pending although 3 is applied.
        assertEquals(List.of("2", "4"), versions(MigrationPlanner.plan("s", CATALOG, applied(1, 3), Target.latest())));
        assertEquals(List.of(), versions(MigrationPlanner.plan("s", CATALOG, applied(1, 2, 3, 4), Target.latest())));
    }

    @Test
    void downUndoesTheAppliedVersionsAboveTheTargetFromTheTop() {
        MigrationPlanner.Plan plan = MigrationPlanner.plan("s", CATALOG, applied(1, 2, 4), down("1"));
        assertEquals(List.of("4", "2"), versions(plan));
        assertTrue(plan.rollbackPossible());
        assertEquals(List.of("4_m.down.sql", "2_m.down.sql"), plan.scripts().stream().map(MigrationScript::file).toList());
        assertEquals(List.of(), versions(MigrationPlanner.plan("s", CATALOG, applied(1), down("1"))));
    }

    @Test
    void aMissingRollbackFileOrAVersionGoneFromTheCatalogRefusesTheRollback() {
        MigrationPlanner.Plan noFile = MigrationPlanner.plan("acme", CATALOG, applied(1, 2, 3), down("0"));
        assertFalse(noFile.rollbackPossible());
        assertEquals(List.of(Version.parse("3")), noFile.noRollback());
        FlotillaException e = assertThrows(FlotillaException.class, () -> noFile.stepsOrThrow(false));
        assertEquals(ErrorCode.ROLLBACK_MISSING, e.code());
        assertTrue(e.getMessage().contains("versions 3 have no rollback file"), e.getMessage());

        Map<Version, String> withGone = applied(1, 4);
        withGone.put(Version.parse("5"), "gone");
        MigrationPlanner.Plan gone = MigrationPlanner.plan("acme", CATALOG, withGone, down("1"));
        assertEquals(List.of(Version.parse("5")), gone.unknown());
        assertTrue(gone.rollbackRefusal().getMessage().contains("versions 5 are applied but no longer in the catalog"));
        // Below the target nothing is undone, so nothing is refused.
        assertTrue(MigrationPlanner.plan("acme", CATALOG, applied(1, 2, 3), down("3")).rollbackPossible());
    }

    @Test
    void driftIsReportedAndRefusedUnlessAllowed() {
        Map<Version, String> changed = applied(1, 2);
        changed.put(Version.parse("2"), "another checksum");
        MigrationPlanner.Plan plan = MigrationPlanner.plan("acme", CATALOG, changed, Target.latest());
        assertEquals(List.of(Version.parse("2")), plan.drifted());
        FlotillaException e = assertThrows(FlotillaException.class, () -> plan.stepsOrThrow(false));
        assertEquals(ErrorCode.DRIFT_DETECTED, e.code());
        assertTrue(e.getMessage().startsWith("Schema 'acme' has versions 2 applied"), e.getMessage());
        assertSame(plan.steps(), plan.stepsOrThrow(true));
        assertEquals(List.of("3", "4"), versions(plan));
    }

    @Test
    void aFailedOrRunningAttemptLeavesTheVersionPendingUnlessAnEarlierApplySettledIt() {
        Map<Version, VersionHistory> history = new LinkedHashMap<>();
        history.put(Version.parse("1"), new VersionHistory(Version.parse("1"), entry(1, StepStatus.APPLIED), null));
        history.put(Version.parse("2"), new VersionHistory(Version.parse("2"), null, entry(2, StepStatus.FAILED)));
        history.put(Version.parse("3"), new VersionHistory(Version.parse("3"), entry(3, StepStatus.ROLLED_BACK),
                entry(3, StepStatus.RUNNING)));
        // Applied, then a rollback failed: still applied.
        history.put(Version.parse("4"), new VersionHistory(Version.parse("4"), entry(4, StepStatus.APPLIED),
                entry(4, StepStatus.FAILED)));
        assertEquals(List.of(Version.parse("1"), Version.parse("4")), List.copyOf(MigrationPlanner.applied(CATALOG, history).keySet()));
        assertEquals(List.of("2", "3"), versions(MigrationPlanner.planFromHistory("s", CATALOG, history, Target.latest())));
        assertEquals(List.of("4"), versions(MigrationPlanner.planFromHistory("s", CATALOG, history, down("1"))));
    }

    @Test
    void aStepWhoseFileChangedOnlyInLayoutIsTheSameStepAndARealChangeIsStillDrift() {
        // Version 1 applied from a goose file: the same statement under its markers, so another file checksum.
        MigrationScript goose = script("00001_m.sql", "-- +goose Up\n-- a header\nCREATE   TABLE t1\n  (id int);\n");
        MigrationScript changed = script("00001_m.sql", "-- +goose Up\nCREATE TABLE t1 (id bigint);\n");
        Migration one = CATALOG.find(Version.parse("1")).orElseThrow();
        assertFalse(goose.checksum().equals(one.checksum()));
        assertEquals(one.up().contentChecksum(), goose.contentChecksum());
        assertFalse(changed.contentChecksum().equals(one.up().contentChecksum()));

        Map<Version, VersionHistory> history = new LinkedHashMap<>();
        history.put(Version.parse("1"), new VersionHistory(Version.parse("1"), entry(1, goose), null));
        MigrationPlanner.Plan plan = MigrationPlanner.planFromHistory("s", CATALOG, history, Target.latest());
        assertEquals(List.of(), plan.drifted());
        assertEquals(List.of("2", "3", "4"), versions(plan));

        history.put(Version.parse("1"), new VersionHistory(Version.parse("1"), entry(1, changed), null));
        assertEquals(List.of(Version.parse("1")),
                MigrationPlanner.planFromHistory("s", CATALOG, history, Target.latest()).drifted());
        // Rows recorded before content checksums: the file checksum alone decides.
        LedgerEntry old = entry(1, goose);
        history.put(Version.parse("1"), new VersionHistory(Version.parse("1"), new LedgerEntry(old.id(), old.runId(),
                old.companyId(), old.schemaName(), old.version(), old.name(), old.script(), old.direction(), old.status(),
                old.checksum(), true, null, null, null, null, null, null, "test", "home", null, 1, null), null));
        assertEquals(List.of(Version.parse("1")),
                MigrationPlanner.planFromHistory("s", CATALOG, history, Target.latest()).drifted());
    }

    @Test
    void contentIgnoresLayoutButNotWhatRuns() {
        String content = script("a.sql", "CREATE TABLE t (note text DEFAULT 'a  b');").contentChecksum();
        assertEquals(content, script("b.sql", "-- migrate:up\n/* x */ CREATE TABLE t\n(note text DEFAULT 'a  b') ;")
                .contentChecksum(), "comments, markers and spaces between tokens are layout");
        assertFalse(content.equals(script("c.sql", "CREATE TABLE t (note text DEFAULT 'a b');").contentChecksum()),
                "a string's spaces are what runs");
        assertFalse(content.equals(script("d.sql", "CREATE TABLE t (note text DEFAULT 'a  b'); SELECT 1;")
                .contentChecksum()));
    }

    private static LedgerEntry entry(int version, MigrationScript applied) {
        return new LedgerEntry(version, UUID.randomUUID(), UUID.randomUUID(), "s", String.valueOf(version), "m" + version,
                applied.file(), Direction.UP, StepStatus.APPLIED, applied.checksum(), true, null, null, null, null, null,
                null, "test", "home", applied.contentChecksum(), 1, null);
    }

    @Test
    void anUpTargetTheCatalogLacksIsRefused() {
        FlotillaException e = assertThrows(FlotillaException.class, () -> MigrationPlanner.checkTarget(CATALOG, up("9")));
        assertEquals(ErrorCode.MIGRATION_NOT_FOUND, e.code());
        MigrationPlanner.checkTarget(CATALOG, up("4"));
        MigrationPlanner.checkTarget(CATALOG, down("9")); // a down target need not be a file
    }

    private static LedgerEntry entry(int version, StepStatus status) {
        String checksum = CATALOG.find(Version.parse(String.valueOf(version))).orElseThrow().checksum();
        return new LedgerEntry(version, UUID.randomUUID(), UUID.randomUUID(), "s", String.valueOf(version), "m" + version,
                version + "_m.sql", status == StepStatus.ROLLED_BACK ? Direction.DOWN : Direction.UP, status,
                checksum + "  ", true, null, null, null, null, null, null, "test", "home", null, 1, null);
    }
}
