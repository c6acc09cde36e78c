package io.flotilla.cli;

import io.flotilla.client.model.BuildFailure;
import io.flotilla.client.model.Company;
import io.flotilla.client.model.LintReport;
import io.flotilla.client.model.LintViolation;
import io.flotilla.client.model.ServerExtensions;
import io.flotilla.client.model.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code lint} and {@code verify}: the service's checks, printed; exit 1 when they find something. */
final class CheckVerbs {

    private CheckVerbs() {
    }

    @Command(name = "lint", header = "Check the catalog against the tenant-isolation rules", sortOptions = false,
            description = {"Build the whole catalog in a scratch schema and check the tenant-isolation rules"
                    + " (GET /api/v1/lint): every violation with its rule, table, version and file. Exit 1 when there is"
                    + " one (waived ones don't count) or the catalog does not build.", "Role viewer."},
            footer = {"", "Example (CI, before merging a migration):", "  flotilla lint"})
    static final class Lint extends Verb.OnService {

        @Override
        protected Outcome run(Output output) {
            ServiceConnection service = connect();
            output.err().println("building the catalog in a scratch schema…");
            LintReport report = service.call(() -> service.catalog().lintCatalog());
            StringBuilder text = new StringBuilder();
            List<LintViolation> violations = report.getViolations() == null ? List.of() : report.getViolations();
            for (LintViolation v : violations) {
                text.append(String.format("%s  %s  version %s (%s): %s%n", v.getRule(), v.getTable(), v.getVersion(),
                        v.getScript(), v.getMessage()));
            }
            failure(text, report.getFailure());
            int lacking = 0;
            for (var server : report.getServers() == null ? List.<ServerExtensions>of() : report.getServers()) {
                if (server.getMissing() != null && !server.getMissing().isEmpty()) {
                    lacking++;
                    text.append(String.format("server %s lacks extension %s%n", server.getServer(),
                            String.join(", ", server.getMissing())));
                } else if (server.getError() != null) {
                    text.append(String.format("server %s not checked for extensions: %s%n", server.getServer(),
                            server.getError()));
                }
            }
            int waived = report.getWaived() == null ? 0 : report.getWaived().size();
            text.append(String.format("%d tables, %d violations, %d waived%s%n", report.getTables() == null ? 0
                    : report.getTables().size(), violations.size(), waived, Boolean.TRUE.equals(report.getOk()) ? ": ok" : ""));
            boolean ok = Boolean.TRUE.equals(report.getOk());
            return Outcome.of(ok ? ExitCode.OK : ExitCode.FAILED, report, text.toString(),
                    report.getFailure() != null ? "the catalog does not build"
                            : violations.isEmpty() && lacking > 0 ? lacking + " servers lack required extensions"
                            : violations.size() + " lint violations");
        }
    }

    @Command(name = "verify", header = "Compare a company's schema with what its versions build", sortOptions = false,
            description = {"Compare a company's schema with what its applied versions build in a scratch schema"
                    + " (GET /api/v1/companies/{id}/verify): missing and extra tables, tables without row-level security"
                    + " or a policy, versions whose files are gone. Exit 1 when anything differs.", "Role viewer."},
            footer = {"", "Example:", "  flotilla verify --company acme"})
    static final class Verify extends Verb.OnService {
        @Mixin
        Companies.Required company;


        @Override
        protected Outcome run(Output output) {
            ServiceConnection service = connect();
            Company c = company.resolve(service);
            output.err().println("building " + c.getSchemaName() + "'s applied versions in a scratch schema…");
            Verification v = service.call(() -> service.companies().verifyCompany(c.getId()));
            StringBuilder text = new StringBuilder(Companies.describe(c)).append('\n');
            list(text, "missing tables (built by its versions, not in the schema)", v.getMissingTables());
            list(text, "extra tables (in the schema, built by no applied version)", v.getExtraTables());
            list(text, "row-level security disabled", v.getRlsDisabled());
            list(text, "without a policy", v.getWithoutPolicy());
            list(text, "unverifiable (applied, file gone from the catalog)", v.getUnverifiable());
            failure(text, v.getFailure());
            boolean ok = Boolean.TRUE.equals(v.getOk());
            text.append(ok ? "ok: the schema matches its " + size(v.getAppliedVersions()) + " applied versions\n"
                    : "differs from what its applied versions build\n");
            return Outcome.of(ok ? ExitCode.OK : ExitCode.FAILED, v, text.toString(),
                    c.getSchemaName() + " differs from what its applied versions build");
        }

        private static void list(StringBuilder text, String what, List<String> items) {
            if (items != null && !items.isEmpty()) {
                text.append(what).append(": ").append(String.join(", ", items)).append('\n');
            }
        }

        private static int size(List<String> items) {
            return items == null ? 0 : items.size();
        }
    }

    static void failure(StringBuilder text, BuildFailure f) {
        if (f != null) {
            text.append("does not build: version ").append(f.getVersion()).append(" (").append(f.getScript()).append("): ")
                    .append(StatusVerb.error(f.getSqlState(), f.getMessage()))
                    .append(f.getPosition() == null ? "" : " at position " + f.getPosition()).append('\n');
        }
    }
}
