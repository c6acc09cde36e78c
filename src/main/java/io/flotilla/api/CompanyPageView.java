package io.flotilla.api;

import io.flotilla.tenant.CompanyPage;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** One page of companies and the total that match the filter. Named CompanyPage in the contract. */
@Schema(name = "CompanyPage")
public record CompanyPageView(List<CompanyView> items, int page, int size, long total) {

    public static CompanyPageView of(CompanyPage page) {
        return new CompanyPageView(page.items().stream().map(CompanyView::of).toList(), page.page(), page.size(),
                page.total());
    }
}
