package io.flotilla.adoption;

import io.flotilla.adoption.Refusal.Reason;
import io.flotilla.adoption.ToolEntry.Status;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.error.FlotillaException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Catalog × another tool's history → the versions to record as adopted, or why not: one decision, without a
 * database. A baseline (the operator's, or a tool's own) adopts every catalog version up to it.
 */
public final class AdoptionPlanner {

    /** The catalog migrations to adopt, in version order, and the refusals; adopt only when there is no refusal. */
    public record Plan(List<Migration> adopted, List<Refusal> refusals) {

        public List<Version> versions() {
            return adopted.stream().map(Migration::version).toList();
        }
    }

    private AdoptionPlanner() {
    }

    /** {@code history} null: the schema has no history table; then only {@code baseline} can say where it stands. */
    public static Plan plan(MigrationCatalog catalog, ToolHistory history, Version baseline) {
        List<Refusal> refusals = new ArrayList<>();
        TreeMap<Version, Migration> adopted = new TreeMap<>();
        if (history == null) {
            if (baseline == null) {
                refusals.add(new Refusal(Reason.NO_HISTORY, null, "The schema has no history table of the catalog's"
                        + " tool; name the version it stands at with baselineVersion"));
            } else if (catalog.find(baseline).isEmpty()) {
                refusals.add(new Refusal(Reason.UNKNOWN_VERSION, baseline.toString(), "baselineVersion " + baseline
                        + " is not a version of the catalog"));
            } else {
                upTo(catalog, baseline, adopted);
            }
            return new Plan(List.copyOf(adopted.values()), refusals);
        }
        HistoryTool tool = history.tool();
        for (ToolEntry entry : history.entries()) {
            if (entry.status().refused()) {
                refusals.add(new Refusal(entry.status() == Status.DIRTY ? Reason.DIRTY_HISTORY : Reason.FAILED_STEP,
                        entry.version(), history.table() + " has version " + entry.version() + " "
                        + entry.status().name().toLowerCase().replace('_', ' ') + "; finish or repair it with "
                        + tool.value() + " first"));
                continue;
            }
            if (entry.status() == Status.UP_TO) {
                Version version;
                try {
                    version = Version.parse(entry.version());
                } catch (FlotillaException e) {
                    refusals.add(unknown(history, entry));
                    continue;
                }
                // A Flyway baseline may name a version without a file; golang-migrate's latest must be a file.
                if (catalog.find(version).isEmpty() && tool != HistoryTool.FLYWAY) {
                    refusals.add(unknown(history, entry));
                } else {
                    upTo(catalog, version, adopted);
                }
                continue;
            }
            Optional<Migration> migration = tool.find(catalog, entry);
            if (migration.isEmpty()) {
                refusals.add(unknown(history, entry));
                continue;
            }
            Optional<String> ours = tool.checksumOf(catalog.directory(), migration.get().up());
            if (entry.checksum() != null && ours.isPresent() && !ours.get().equalsIgnoreCase(entry.checksum().trim())) {
                refusals.add(new Refusal(Reason.CHECKSUM_MISMATCH, entry.version(), migration.get().up().file()
                        + " has checksum " + ours.get() + " in the catalog, " + history.table() + " recorded "
                        + entry.checksum().trim() + ": the file changed since it was applied"));
                continue;
            }
            adopted.put(migration.get().version(), migration.get());
        }
        return new Plan(List.copyOf(adopted.values()), refusals);
    }

    private static void upTo(MigrationCatalog catalog, Version last, TreeMap<Version, Migration> adopted) {
        catalog.migrations().stream().filter(m -> m.version().compareTo(last) <= 0)
                .forEach(m -> adopted.put(m.version(), m));
    }

    private static Refusal unknown(ToolHistory history, ToolEntry entry) {
        return new Refusal(Reason.UNKNOWN_VERSION, entry.version(), history.table() + " has version "
                + entry.version() + ", which the catalog does not");
    }
}
