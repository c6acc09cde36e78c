package io.flotilla.ledger;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Repeatable;
import io.flotilla.catalog.Version;
import io.flotilla.ledger.LedgerEntry;
import io.flotilla.ledger.StepStatus;
import io.flotilla.ledger.VersionHistory;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One version's state for one company: the resolved migration joined with its ledger history. A repeatable migration
 * has its own entries, after the versions, in name order: {@code version} {@code R}, its state from
 * {@code repeatable_state} ({@link MigrationState#PENDING}, {@link MigrationState#APPLIED}, {@link MigrationState#OUTDATED}
 * when its file changed since, {@link MigrationState#FAILED}, {@link MigrationState#RUNNING}); it never drifts.
 *
 * @param checksum        the catalog file's checksum now (null when {@link MigrationState#MISSING})
 * @param appliedChecksum the checksum recorded when it was applied
 * @param drifted         applied, but the file changed since
 * @param lastError       error of the last attempt when it failed
 * @param adopted         applied by another tool before the schema was adopted: recorded, never run by Flotilla
 */
public record MigrationInfo(String version, String name, MigrationState state, String script,
                            @Schema(nullable = true) String checksum,
                            @Schema(nullable = true) String appliedChecksum, boolean drifted,
                            @Schema(nullable = true) OffsetDateTime appliedAt, @Schema(nullable = true) Long durationMs,
                            @Schema(nullable = true) String lastError,
                            @Schema(nullable = true) String lastErrorSqlState,
                            @Schema(nullable = true) Long lastLedgerId, boolean adopted) {

    /** Versions and repeatables. */
    public static List<MigrationInfo> of(MigrationCatalog catalog, Map<Version, VersionHistory> history,
                                         Map<String, RepeatableState> repeatables) {
        List<MigrationInfo> infos = new ArrayList<>(of(catalog, history));
        for (Repeatable r : catalog.repeatables()) {
            infos.add(of(r, repeatables.get(r.name())));
        }
        return infos;
    }

    static MigrationInfo of(Repeatable r, RepeatableState s) {
        if (s == null) {
            return new MigrationInfo(Repeatable.LEDGER_VERSION, r.name(), MigrationState.PENDING, r.script().file(),
                    r.checksum(), null, false, null, null, null, null, null, false);
        }
        MigrationState state = s.running() ? MigrationState.RUNNING
                : s.failed() ? MigrationState.FAILED
                : !s.applied() ? MigrationState.PENDING
                : r.checksum().equals(s.checksum()) ? MigrationState.APPLIED : MigrationState.OUTDATED;
        return new MigrationInfo(Repeatable.LEDGER_VERSION, r.name(), state, r.script().file(), r.checksum(),
                s.checksum(), false, s.appliedAt(), null, s.failed() ? s.error() : null, null, s.ledgerId(), false);
    }

    /** Versions only. */
    public static List<MigrationInfo> of(MigrationCatalog catalog, Map<Version, VersionHistory> history) {
        List<MigrationInfo> infos = new ArrayList<>();
        for (Migration m : catalog.migrations()) {
            infos.add(of(m.version(), m, history.get(m.version())));
        }
        history.forEach((version, h) -> {
            if (catalog.find(version).isEmpty() && h.applied()) {
                infos.add(of(version, null, h));
            }
        });
        infos.sort((a, b) -> Version.parse(a.version()).compareTo(Version.parse(b.version())));
        return infos;
    }

    static MigrationInfo of(Version version, Migration migration, VersionHistory h) {
        String name = migration != null ? migration.name() : h.settled().name();
        String script = migration != null ? migration.up().file() : h.settled().script();
        String checksum = migration != null ? migration.checksum() : null;
        if (h == null) {
            return new MigrationInfo(version.toString(), name, MigrationState.PENDING, script, checksum,
                    null, false, null, null, null, null, null, false);
        }
        LedgerEntry latest = h.latest();
        LedgerEntry applied = h.lastApplied().orElse(null);
        MigrationState state;
        if (migration == null) {
            state = MigrationState.MISSING;
        } else if (latest.status() == StepStatus.RUNNING) {
            state = MigrationState.RUNNING;
        } else if (latest.status() == StepStatus.FAILED) {
            // A failed rollback leaves the version applied; only a failed apply makes it "failed".
            state = h.applied() ? MigrationState.APPLIED : MigrationState.FAILED;
        } else {
            state = h.applied() ? MigrationState.APPLIED : MigrationState.PENDING;
        }
        boolean drifted = applied != null && migration != null && !applied.ran(migration.up());
        LedgerEntry failed = latest.status() == StepStatus.FAILED ? latest : null;
        return new MigrationInfo(version.toString(), name, state, script, checksum,
                applied == null ? null : applied.checksum(), drifted,
                applied == null ? null : applied.finishedAt(), applied == null ? null : applied.durationMs(),
                failed == null ? null : failed.error(), failed == null ? null : failed.errorSqlState(),
                latest.id(), applied != null && applied.status() == StepStatus.ADOPTED);
    }
}
