package io.flotilla.cli;

import io.flotilla.client.model.Company;
import io.flotilla.client.model.CompanyPage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A company as a person names it on the command line: its id, its schema name or its company name. Ids are looked
 * up directly; names by paging through {@code GET /api/v1/companies} (soft-deleted companies are not matched).
 */
final class Companies {

    static final int PAGE_SIZE = 500;

    /** {@code --company X}, required, on the verbs that work on one company. */
    static final class Required {
        @picocli.CommandLine.Option(names = "--company", paramLabel = "X", required = true, order = 1,
                description = "the company: its id, schema name or company name")
        String company;

        Company resolve(ServiceConnection service) {
            return Companies.resolve(service, company);
        }
    }

    private Companies() {
    }

    static Company resolve(ServiceConnection service, String ref) {
        String wanted = ref == null ? "" : ref.trim();
        if (wanted.isEmpty()) {
            throw CliFailure.usage("--company needs a company id, schema name or company name");
        }
        UUID id = uuid(wanted);
        if (id != null) {
            try {
                return service.call(() -> service.companies().getCompany(id));
            } catch (CliFailure f) {
                if (Integer.valueOf(404).equals(f.status())) {
                    throw CliFailure.usage("no company with id " + id);
                }
                throw f;
            }
        }
        List<Company> matches = new ArrayList<>();
        int page = 0;
        long seen = 0;
        while (true) {
            int p = page;
            CompanyPage companies = service.call(() -> service.companies().listCompanies(false, p, PAGE_SIZE, null));
            for (Company c : companies.getItems()) {
                if (wanted.equals(c.getSchemaName()) || wanted.toLowerCase(Locale.ROOT)
                        .equals(c.getCompanyName() == null ? null : c.getCompanyName().toLowerCase(Locale.ROOT))) {
                    matches.add(c);
                }
            }
            seen += companies.getItems().size();
            if (companies.getItems().isEmpty() || companies.getTotal() == null || seen >= companies.getTotal()) {
                break;
            }
            page++;
        }
        if (matches.isEmpty()) {
            throw CliFailure.usage("no company matches '" + wanted + "' (as an id, a schema name or a company name)");
        }
        if (matches.size() > 1) {
            throw CliFailure.usage("'" + wanted + "' matches " + matches.size() + " companies: " + matches.stream()
                    .map(Companies::describe).collect(Collectors.joining("; ")) + "; name one by its id");
        }
        return matches.get(0);
    }

    static String describe(Company c) {
        return c.getCompanyName() + " (schema " + c.getSchemaName() + ", id " + c.getId() + ")";
    }

    private static UUID uuid(String text) {
        if (text.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
