package io.flotilla.cli;

import io.flotilla.client.model.Company;
import io.flotilla.client.model.ResetRequest;
import io.flotilla.client.model.ResetResult;
import io.flotilla.client.model.SeedRequest;
import io.flotilla.client.model.SeedResult;
import io.flotilla.security.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code seed} and {@code reset}: test data into one company's schema, or its schema rebuilt from nothing. */
final class CompanyVerbs {

    private CompanyVerbs() {
    }

    @Command(name = "seed", header = "Load the seed files into one company's schema", sortOptions = false,
            description = {"Run every MIGRATIONS_DIR/seeds/*.sql of the service's catalog in the company's schema, in one"
                    + " transaction under the schema's lock (POST /api/v1/companies/{id}/seed): all or nothing. A company"
                    + " whose settings mark it production is refused unless --force.",
                    "Exit 0, 2 when refused (no seeds, a seed file failed and was rolled back, production without"
                            + " --force), 4 when the schema stays busy under a migration. Role operator."},
            footer = {"", "Example:", "  flotilla seed --company acme_dev"})
    static final class Seed extends Verb.OnService {
        @Mixin
        Companies.Required company;

        @Option(names = "--force", description = "seed even a company marked production")
        boolean force;

        @Override
        Role role() {
            return Role.OPERATOR;
        }

        @Override
        protected Outcome run(Output output) {
            ServiceConnection service = connect();
            Company c = company.resolve(service);
            SeedResult seeded = service.call(() -> service.companies().seedCompany(c.getId(), new SeedRequest().force(force)));
            List<String> files = seeded.getFiles() == null ? List.of() : seeded.getFiles();
            return Outcome.ok(seeded, "seeded " + seeded.getSchemaName() + " with " + files.size()
                    + (files.size() == 1 ? " file" : " files") + " in " + seeded.getDurationMs() + " ms: "
                    + String.join(", ", files) + "\n");
        }
    }

    @Command(name = "reset", header = "Drop a company's schema and migrate it again from nothing", sortOptions = false,
            description = {"Drop the company's schema with every row in it, create it empty and apply every migration"
                    + " again (POST /api/v1/companies/{id}/reset), recording the drop in the ledger. --confirm must"
                    + " repeat the company's schema name: without it nothing is sent; a name that differs is refused by"
                    + " the service and nothing changes. A company marked production is refused unless --force.",
                    "Exit 0, 1 when re-applying a migration failed (the reset is done), 2 when refused, 4 when the"
                            + " schema stays busy. Role admin."},
            footer = {"", "Example:", "  flotilla reset --company acme_dev --confirm acme_dev && flotilla seed --company acme_dev"})
    static final class Reset extends Verb.OnService {
        @Mixin
        Companies.Required company;

        @Option(names = "--confirm", paramLabel = "SCHEMA",
                description = "the company's schema name, typed out: the schema and all its data are dropped")
        String confirm;

        @Option(names = "--force", description = "reset even a company marked production")
        boolean force;

        @Override
        Role role() {
            return Role.ADMIN;
        }

        @Override
        protected Outcome run(Output output) {
            if (confirm == null || confirm.isBlank()) {
                throw CliFailure.usage("reset drops the company's schema and every row in it: say so with --confirm"
                        + " <its schema name>; nothing was sent");
            }
            ServiceConnection service = connect();
            Company c = company.resolve(service);
            output.err().println("dropping schema " + c.getSchemaName() + " and applying every migration again…");
            ResetResult reset = service.call(() -> service.companies().resetCompany(c.getId(),
                    new ResetRequest().confirm(confirm).force(force)));
            return Outcome.ok(reset, "reset " + reset.getSchemaName() + ": dropped with versions "
                    + versions(reset.getDroppedVersions()) + "; applied again: " + versions(reset.getApplied())
                    + " (run " + reset.getRunId() + ")\n");
        }

        private static String versions(List<String> versions) {
            return versions == null || versions.isEmpty() ? "none" : String.join(", ", versions);
        }
    }
}
