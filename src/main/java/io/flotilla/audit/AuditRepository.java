package io.flotilla.audit;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Queries on {@code public.audit_entries}, in the caller's session ({@link AuditService} opens it). */
@ApplicationScoped
public class AuditRepository implements PanacheRepositoryBase<AuditEntry, Long> {

    /** Newest first. Only fixed fragments are joined; every value is a parameter. */
    Uni<List<AuditEntry>> find(AuditQuery query) {
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (query.subject() != null) {
            where.add("subject = :subject");
            params = params.and("subject", query.subject());
        }
        if (query.action() != null) {
            where.add("action = :action");
            params = params.and("action", query.action());
        }
        if (query.since() != null) {
            where.add("at >= :since");
            params = params.and("since", query.since());
        }
        if (query.until() != null) {
            where.add("at < :until");
            params = params.and("until", query.until());
        }
        if (query.before() != null) {
            where.add("id < :before");
            params = params.and("before", query.before());
        }
        Sort newestFirst = Sort.descending("id");
        var found = where.isEmpty() ? findAll(newestFirst) : find(String.join(" and ", where), newestFirst, params);
        return found.page(0, query.limit()).list();
    }
}
