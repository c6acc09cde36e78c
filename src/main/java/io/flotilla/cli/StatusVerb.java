package io.flotilla.cli;

import io.flotilla.client.model.Company;
import io.flotilla.client.model.Drifted;
import io.flotilla.client.model.FleetView;
import io.flotilla.client.model.LedgerEntry;
import io.flotilla.client.model.MigrationInfo;
import io.flotilla.client.model.MigrationState;
import io.flotilla.client.model.StepStatus;
import io.flotilla.client.model.VersionCount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** {@code flotilla status [--company X] [--check]}: the fleet per version, or one company's versions. */
@Command(name = "status", header = "What is applied where: the fleet, or one company", sortOptions = false,
        description = {"What is applied where. The fleet: active companies per current version, how many are pending,"
                + " failed (with the first error) and drifted (GET /api/v1/fleet, /api/v1/drift). With --company: every"
                + " version of that company with its state (GET /api/v1/companies/{id}/migrations).",
                "Role viewer."},
        footer = {"", "Examples:", "  flotilla status", "  flotilla status --company acme",
                "  flotilla status --check || echo 'migrations pending'"})
final class StatusVerb extends Verb.OnService {

    /** Drifted companies shown; the count covers them all. */
    static final int DRIFT_LIMIT = 20;

    @Option(names = "--company", paramLabel = "X", description = "one company: its id, schema name or company name")
    String company;

    @Option(names = "--check", description = "exit 3 when any version is pending or failed (0 when everything is applied)")
    boolean check;


    @Override
    protected Outcome run(Output output) {
        ServiceConnection service = connect();
        return company == null ? fleet(service) : company(service, Companies.resolve(service, company));
    }

    /** The fleet's status as --output json shows it. */
    record FleetStatus(FleetView fleet, List<Drifted> drifted, LedgerEntry firstFailure) {
    }

    /** One company's status as --output json shows it. */
    record CompanyStatus(Company company, List<MigrationInfo> migrations) {
    }

    private Outcome fleet(ServiceConnection service) {
        FleetView fleet = service.call(() -> service.fleet().getFleet(null));
        List<Drifted> drifted = fleet.getDrifted() != null && fleet.getDrifted() > 0
                ? service.call(() -> service.fleet().listDrift(DRIFT_LIMIT, null)) : List.of();
        LedgerEntry firstFailure = fleet.getFailed() != null && fleet.getFailed() > 0 ? firstFailure(service) : null;

        StringBuilder text = new StringBuilder();
        text.append(fleet.getCompanies()).append(" active ").append(fleet.getCompanies() == 1 ? "company" : "companies")
                .append(", latest version ").append(fleet.getLatestVersion() == null ? "(empty catalog)" : fleet.getLatestVersion())
                .append('\n');
        for (VersionCount v : fleet.getVersions()) {
            text.append(String.format("  %-12s %d%n", v.getVersion() == null ? "(none)" : "version " + v.getVersion(),
                    v.getCompanies()));
        }
        text.append(String.format("up to date %d, pending %d, failed %d, drifted %d%n", fleet.getUpToDate(),
                fleet.getPending(), fleet.getFailed(), fleet.getDrifted()));
        if (firstFailure != null) {
            text.append("failed: ").append(firstFailure.getSchemaName()).append(" version ").append(firstFailure.getVersion())
                    .append(": ").append(error(firstFailure.getErrorSqlState(), firstFailure.getError())).append('\n');
        }
        for (Drifted d : drifted) {
            text.append("drifted: ").append(d.getSchemaName()).append(" (server ").append(d.getServer()).append(") versions ").append(String.join(", ", d.getVersions()))
                    .append('\n');
        }
        if (fleet.getDrifted() != null && fleet.getDrifted() > drifted.size()) {
            text.append("  … and ").append(fleet.getDrifted() - drifted.size()).append(" more drifted\n");
        }
        boolean incomplete = fleet.getPending() > 0 || fleet.getFailed() > 0;
        return Outcome.of(check && incomplete ? ExitCode.CHECK_FAILED : ExitCode.OK,
                new FleetStatus(fleet, drifted, firstFailure), text.toString(),
                fleet.getPending() + " companies with pending versions, " + fleet.getFailed() + " with a failed one");
    }

    /**
     * The newest failed step that still stands: the ledger's failed steps, newest first, checked against their
     * company's current state (a failure fixed since is not one). A handful of look-ups at most.
     */
    private static LedgerEntry firstFailure(ServiceConnection service) {
        List<LedgerEntry> failed = service.call(() -> service.ledger().listLedgerEntries(null, null, 50, null, null,
                StepStatus.FAILED, null, null)).getItems();
        Set<UUID> checked = new LinkedHashSet<>();
        for (LedgerEntry step : failed) {
            if (!checked.add(step.getCompanyId())) {
                continue;
            }
            if (checked.size() > 5) {
                break;
            }
            List<MigrationInfo> versions = service.call(() -> service.companies().listCompanyMigrations(step.getCompanyId()));
            if (versions.stream().anyMatch(v -> v.getState() == MigrationState.FAILED && step.getVersion().equals(v.getVersion()))) {
                return step;
            }
        }
        return null;
    }

    private Outcome company(ServiceConnection service, Company c) {
        List<MigrationInfo> versions = service.call(() -> service.companies().listCompanyMigrations(c.getId()));
        Map<MigrationState, Integer> counts = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder(Companies.describe(c)).append(", ").append(c.getStatus()).append('\n');
        text.append(String.format("  %-8s %-32s %-8s %s%n", "VERSION", "NAME", "STATE", "APPLIED AT / LAST ERROR"));
        for (MigrationInfo v : versions) {
            counts.merge(v.getState(), 1, Integer::sum);
            String when = v.getState() == MigrationState.FAILED ? error(v.getLastErrorSqlState(), v.getLastError())
                    : v.getAppliedAt() == null ? "" : v.getAppliedAt().toString();
            text.append(String.format("  %-8s %-32s %-8s %s%s%n", v.getVersion(), v.getName(), v.getState(), when,
                    Boolean.TRUE.equals(v.getDrifted()) ? " (drifted: the file changed since)" : ""));
        }
        int pending = counts.getOrDefault(MigrationState.PENDING, 0);
        int failed = counts.getOrDefault(MigrationState.FAILED, 0);
        text.append(counts.isEmpty() ? "no versions in the catalog" : counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("")).append('\n');
        return Outcome.of(check && (pending > 0 || failed > 0) ? ExitCode.CHECK_FAILED : ExitCode.OK,
                new CompanyStatus(c, versions), text.toString(),
                c.getSchemaName() + ": " + pending + " pending, " + failed + " failed");
    }

    /** An error's first line, with its SQLSTATE unless the message already starts with it. */
    static String error(String sqlState, String message) {
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return sqlState == null || first.startsWith("[" + sqlState + "]") ? first : "[" + sqlState + "] " + first;
    }
}
