package io.flotilla.cli;

import io.flotilla.catalog.CatalogProblem;
import io.flotilla.client.model.BuildFailure;
import io.flotilla.client.model.Company;
import io.flotilla.client.model.LintReport;
import io.flotilla.client.model.LintViolation;
import io.flotilla.client.model.ServerExtensions;
import io.flotilla.client.model.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code lint} and {@code verify}: the service's checks, printed; exit 1 when they find something. */
final class CheckVerbs {

    private CheckVerbs() {
    }

    @Command(name = "lint", header = "Check the catalog against the tenant-isolation rules", sortOptions = false,
            description = {"Build the whole catalog in a scratch schema and check the tenant-isolation rules"
                    + " (GET /api/v1/lint): every violation with its rule, table, version and file. Exit 1 when there is"
                    + " one (waived ones don't count) or the catalog does not build.", "Role viewer.",
                    "With --dir, no service: the directory is linted by the same checks in a database of its own, an"
                    + " embedded PostgreSQL started and deleted for the run when no DB_HOST is set, else a scratch"
                    + " database created on DB_HOST (DB_PORT, DB_USER, DB_PASSWORD, DB_SSL; DB_NAME is where it is"
                    + " created from) and dropped after. Findings print as FILE:LINE; a catalog that does not load"
                    + " exits 1 with its problems. JSON data is the API's lint report."},
            footer = {"", "Examples (CI, before merging a migration):", "  flotilla lint",
                    "  flotilla lint --dir migrations --output json > lint.json"})
    static final class Lint extends Verb.OnService {

        @Option(names = "--dir", paramLabel = "DIR", order = 1,
                description = "lint this migration directory here, without a service (--url and --token do not apply)")
        Path dir;

        @Override
        protected Outcome run(Output output) {
            if (dir != null) {
                if (serviceOptions.url != null || serviceOptions.token != null) {
                    throw CliFailure.usage("--dir lints without a service: --url and --token do not go with it");
                }
                return local(output);
            }
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
        /** {@code --dir}: the same checks with no service ({@link LocalLint}), findings as {@code FILE:LINE: …}. */
        private Outcome local(Output output) {
            LocalLint.Result result = LocalLint.lint(dir, root.settings(), root.dataDir(), output);
            if (result instanceof LocalLint.CatalogFailure failure) {
                StringBuilder text = new StringBuilder();
                for (CatalogProblem p : failure.problems()) {
                    // A refused statement: FILE:LINE, as the findings are printed.
                    String files = p.files().size() == 1 ? where(dir, p.files().get(0), p.line())
                            : p.files().isEmpty() ? dir.toString()
                            : String.join(", ", p.files().stream().map(f -> file(dir, f)).toList());
                    text.append(files).append(": ").append(p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                            .append(": ").append(p.message()).append('\n');
                }
                return Outcome.of(ExitCode.FAILED, failure, text.toString(), "the catalog in " + dir + " does not load ("
                        + failure.problems().size() + " problems)");
            }
            LocalLint.Linted linted = (LocalLint.Linted) result;
            io.flotilla.verification.LintReport report = linted.report();
            StringBuilder text = new StringBuilder();
            for (io.flotilla.verification.LintViolation v : report.violations()) {
                text.append(finding(dir, linted, v, ""));
            }
            for (io.flotilla.verification.LintViolation v : report.warnings()) {
                text.append(finding(dir, linted, v, "warning: "));
            }
            io.flotilla.verification.BuildFailure f = report.failure();
            if (f != null) {
                text.append(String.format("%s: does not build (version %s): %s%n",
                        where(dir, f.script(), linted.lines().failure(f)), f.version(),
                        StatusVerb.error(f.sqlState(), f.message())));
            }
            int lacking = 0;
            for (io.flotilla.verification.ServerExtensions server : report.servers()) {
                if (!server.missing().isEmpty()) {
                    lacking++;
                    text.append(String.format("%s lacks extension %s%n", server.server(), String.join(", ", server.missing())));
                } else if (server.error() != null) {
                    text.append(String.format("%s not checked for extensions: %s%n", server.server(), server.error()));
                }
            }
            text.append(String.format("%d tables, %d violations, %d warnings, %d waived%s%n", report.tables().size(),
                    report.violations().size(), report.warnings().size(), report.waived().size(),
                    report.ok() ? ": ok" : ""));
            return Outcome.of(report.ok() ? ExitCode.OK : ExitCode.FAILED, report, text.toString(),
                    f != null ? "the catalog does not build"
                            : report.violations().isEmpty() && lacking > 0 ? "the database lacks required extensions"
                            : report.violations().size() + " lint violations");
        }

        private static String finding(Path dir, LocalLint.Linted linted, io.flotilla.verification.LintViolation v,
                                      String level) {
            return String.format("%s: %s%s%s: %s%n", where(dir, v.script(), line(linted, v)), level, v.rule().id(),
                    v.table() == null ? "" : " " + v.table(), v.message());
        }

        /**
         * Where a finding is: a statement rule's own line (the statement it read), else found in its file by the table
         * it names (see {@link SourceLines}).
         */
        private static Integer line(LocalLint.Linted linted, io.flotilla.verification.LintViolation v) {
            return v.line() != null ? v.line() : linted.lines().violation(v.version(), v.table());
        }

        /** A catalog file as a path a person (or a CI annotation) can open: under the directory given. */
        static String file(Path dir, String script) {
            return dir.resolve(script).toString();
        }

        /** {@code FILE:LINE}, or {@code FILE} when the line is unknown. */
        static String where(Path dir, String script, Integer line) {
            if (script == null) {
                return dir.toString();
            }
            return file(dir, script) + (line == null ? "" : ":" + line);
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
