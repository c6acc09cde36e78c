package io.flotilla.tenant;

import java.util.List;

/** One page of companies and the total that match the filter. */
public record CompanyPage(List<Company> items, int page, int size, long total) {
}
