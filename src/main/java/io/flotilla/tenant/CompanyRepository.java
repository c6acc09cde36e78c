package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Queries on {@code public.companies}; nothing else reads or writes that table. */
@ApplicationScoped
public class CompanyRepository {

    private static final String COLUMNS =
            "id, company_name, schema_name, status, settings, created_at, updated_at, deleted_at";

    private final Pool pool;

    public CompanyRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts on the caller's connection, so the row and its schema commit or roll back together. */
    public Uni<Company> insert(SqlClient client, String companyName, String schemaName, CompanyStatus status,
                               Map<String, Object> settings) {
        return client.preparedQuery("INSERT INTO public.companies (company_name, schema_name, status, settings) "
                        + "VALUES ($1, $2, $3, $4) RETURNING " + COLUMNS)
                .execute(Tuple.of(companyName, schemaName, status.value(), new JsonObject(settings)))
                .onFailure(PgException.class).transform(CompanyRepository::uniqueViolation)
                .map(rows -> Company.from(rows.iterator().next()));
    }

    /** Null item when no such company (soft-deleted ones included: they still own their schema). */
    public Uni<Company> findById(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM public.companies WHERE id = $1")
                .execute(Tuple.of(id))
                .map(CompanyRepository::firstOrNull);
    }

    /** Companies by id (any status: the caller decides), or, with null ids, every active one; oldest first. */
    public Uni<List<Company>> findAll(List<UUID> ids) {
        String sql = "SELECT " + COLUMNS + " FROM public.companies WHERE "
                + (ids == null ? "status = 'active' AND deleted_at IS NULL" : "id = ANY($1)") + " ORDER BY created_at, id";
        return (ids == null ? pool.query(sql).execute() : pool.preparedQuery(sql).execute(Tuple.of(ids.toArray(UUID[]::new))))
                .map(rows -> {
                    List<Company> companies = new ArrayList<>();
                    rows.forEach(row -> companies.add(Company.from(row)));
                    return companies;
                });
    }

    public Uni<CompanyPage> list(CompanyStatus status, boolean includeDeleted, int page, int size) {
        // One round trip: the window count rides along with the page.
        return pool.preparedQuery("SELECT " + COLUMNS + ", count(*) OVER () AS total FROM public.companies"
                        + " WHERE ($1::varchar IS NULL OR status = $1) AND ($2 OR deleted_at IS NULL)"
                        + " ORDER BY created_at, id LIMIT $3 OFFSET $4")
                .execute(Tuple.of(status == null ? null : status.value(), includeDeleted, size, (long) page * size))
                .flatMap(rows -> {
                    List<Company> items = new ArrayList<>();
                    long total = -1;
                    for (Row row : rows) {
                        items.add(Company.from(row));
                        total = row.getLong("total");
                    }
                    if (total >= 0 || page == 0) {
                        return Uni.createFrom().item(new CompanyPage(items, page, size, Math.max(total, 0)));
                    }
                    // Past the last page the window count has no row to ride on.
                    return count(status, includeDeleted).map(n -> new CompanyPage(items, page, size, n));
                });
    }

    private Uni<Long> count(CompanyStatus status, boolean includeDeleted) {
        return pool.preparedQuery("SELECT count(*) FROM public.companies"
                        + " WHERE ($1::varchar IS NULL OR status = $1) AND ($2 OR deleted_at IS NULL)")
                .execute(Tuple.of(status == null ? null : status.value(), includeDeleted))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Changes status and/or settings (null = keep); null item when no such live company. */
    public Uni<Company> update(UUID id, CompanyStatus status, Map<String, Object> settings) {
        return pool.preparedQuery("UPDATE public.companies SET status = coalesce($2, status),"
                        + " settings = coalesce($3, settings), updated_at = now()"
                        + " WHERE id = $1 AND deleted_at IS NULL RETURNING " + COLUMNS)
                .execute(Tuple.of(id, status == null ? null : status.value(),
                        settings == null ? null : new JsonObject(settings)))
                .map(CompanyRepository::firstOrNull);
    }

    /** Sets deleted_at once; the schema stays. Null item when no such company. */
    public Uni<Company> softDelete(UUID id) {
        return pool.preparedQuery("UPDATE public.companies SET deleted_at = coalesce(deleted_at, now()),"
                        + " updated_at = now() WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(id))
                .map(CompanyRepository::firstOrNull);
    }

    private static Company firstOrNull(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Company.from(it.next()) : null;
    }

    /** The unique constraints are the truth about duplicates; the error's detail names the column. */
    private static Throwable uniqueViolation(Throwable failure) {
        PgException e = (PgException) failure;
        if (!"23505".equals(e.getSqlState())) {
            return e;
        }
        String detail = String.valueOf(e.getDetail());
        if (detail.contains("(schema_name)")) {
            return new FlotillaException(ErrorCode.SCHEMA_NAME_TAKEN,
                    "Another company already uses this schemaName", Map.of(), e);
        }
        return new FlotillaException(ErrorCode.COMPANY_NAME_TAKEN,
                "Another company already uses this companyName", Map.of(), e);
    }
}
