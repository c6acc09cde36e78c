package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.sql.Sessions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.exception.ConstraintViolationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Queries on {@code public.companies}, through Hibernate Reactive; nothing else writes that table. Methods run in
 * the caller's session ({@link CompanyService} opens it with {@link Sessions}), except {@link #findAll(List)}, which
 * other packages call and which reads on the Vert.x client.
 */
@ApplicationScoped
public class CompanyRepository implements PanacheRepositoryBase<Company, UUID> {

    private static final Sort OLDEST_FIRST = Sort.by("createdAt").and("id");

    private final Pool pool;

    public CompanyRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Inserts in the caller's session and transaction (so the row and its schema commit or roll back together) and
     * flushes at once: a duplicate name fails here, as 409, not at commit.
     */
    Uni<Company> insert(Company company) {
        return persistAndFlush(company)
                .onFailure().transform(CompanyRepository::uniqueViolation);
    }

    /**
     * Companies by id (any status: the caller decides), or, with null ids, every active one; oldest first. A plain
     * read on the Vert.x client, not Hibernate: the whole fleet is read for every rollout plan, and 10,000 managed
     * entities in a session cost several times the query itself; nothing here is changed through them.
     */
    public Uni<List<Company>> findAll(List<UUID> ids) {
        if (ids != null && ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String select = "SELECT " + CompanyRows.COLUMNS + " FROM public.companies";
        Uni<RowSet<Row>> rows = ids == null
                ? pool.preparedQuery(select + " WHERE status = $1 AND deleted_at IS NULL ORDER BY created_at, id")
                        .execute(Tuple.of(CompanyStatus.ACTIVE.value()))
                : pool.preparedQuery(select + " WHERE id = ANY($1) ORDER BY created_at, id")
                        .execute(Tuple.of(ids.toArray(UUID[]::new)));
        return rows.map(found -> {
            List<Company> list = new ArrayList<>(found.size());
            found.forEach(row -> list.add(CompanyRows.from(row)));
            return list;
        });
    }

    /**
     * Inserts on a Vert.x connection, in its caller's transaction: an adoption writes the row with the ledger steps
     * and its record in one commit. Duplicates answer as {@link #insert} does.
     */
    public Uni<Company> insert(SqlConnection conn, Company company) {
        return conn.preparedQuery("INSERT INTO public.companies (id, company_name, schema_name, server, status, settings)"
                        + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + CompanyRows.COLUMNS)
                .execute(Tuple.of(company.id(), company.companyName(), company.schemaName(), company.server(),
                        company.status().value(), new JsonObject(company.settings())))
                .map(rows -> CompanyRows.from(rows.iterator().next()))
                .onFailure(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState()))
                .transform(e -> {
                    String constraint = String.valueOf(((PgException) e).getConstraint()).toLowerCase(Locale.ROOT);
                    return constraint.contains("schema")
                            ? new FlotillaException(ErrorCode.SCHEMA_NAME_TAKEN, "Another company already uses this schemaName", Map.of(), e)
                            : new FlotillaException(ErrorCode.COMPANY_NAME_TAKEN, "Another company already uses this companyName", Map.of(), e);
                });
    }

    /** The company, deleted or not, that owns this schema name; a null item when none does. A plain read. */
    public Uni<Company> findBySchemaName(String schemaName) {
        return pool.preparedQuery("SELECT " + CompanyRows.COLUMNS + " FROM public.companies WHERE schema_name = $1")
                .execute(Tuple.of(schemaName))
                .map(rows -> rows.size() == 0 ? null : CompanyRows.from(rows.iterator().next()));
    }

    Uni<CompanyPage> list(CompanyStatus status, boolean includeDeleted, int page, int size) {
        // Fixed fragments only, so that no parameter is an untyped null.
        String where = (status == null ? "1 = 1" : "status = :status") + (includeDeleted ? "" : " and deletedAt is null");
        Map<String, Object> filter = status == null ? Map.of() : Map.of("status", status);
        // The page and the total in one round trip; a page past the end has no row to carry the total: counted apart.
        return getSession().flatMap(session -> {
            var query = session.createSelectionQuery("select c, count(*) over () from Company c where " + where
                    + " order by c.createdAt, c.id", Object[].class);
            filter.forEach(query::setParameter);
            return query.setFirstResult(page * size).setMaxResults(size).getResultList();
        }).flatMap(rows -> {
            List<Company> items = rows.stream().map(row -> (Company) row[0]).toList();
            return rows.isEmpty() ? count(where, filter).map(total -> new CompanyPage(items, page, size, total))
                    : Uni.createFrom().item(new CompanyPage(items, page, size, (Long) rows.get(0)[1]));
        });
    }

    /** Changes status and/or settings (null = keep), in the caller's transaction; null item when no such live company. */
    Uni<Company> update(UUID id, CompanyStatus status, Map<String, Object> settings) {
        // Only fixed fragments are joined: the values are parameters.
        StringBuilder set = new StringBuilder("updatedAt = current_timestamp");
        Parameters params = Parameters.with("id", id);
        if (status != null) {
            set.append(", status = :status");
            params = params.and("status", status);
        }
        if (settings != null) {
            set.append(", settings = :settings");
            params = params.and("settings", settings);
        }
        String assignments = set.toString();
        Parameters values = params;
        return update(assignments + " where id = :id and deletedAt is null", values)
                .flatMap(n -> n == 0 ? Uni.createFrom().nullItem() : findById(id));
    }

    /** Sets deleted_at once, in the caller's transaction; the schema stays. Null item when no such company. */
    Uni<Company> softDelete(UUID id) {
        // One round trip: the row comes back from the UPDATE (the session is the caller's own, so nothing stale).
        return getSession().flatMap(session -> session.createNativeQuery("UPDATE public.companies"
                        + " SET deleted_at = coalesce(deleted_at, current_timestamp), updated_at = current_timestamp"
                        + " WHERE id = :id RETURNING " + CompanyRows.COLUMNS, Company.class)
                .setParameter("id", id).getSingleResultOrNull());
    }

    /**
     * The server a new company's schema goes to, in the caller's transaction: the one asked for, if it takes new
     * companies, or else the active server with the fewest companies under its capacity (ties by name). The servers
     * considered are locked first and counted after, so two onboardings at once cannot both take a server's last place.
     */
    Uni<String> place(String requested) {
        if (requested != null) {
            return Panache.getSession().flatMap(session -> session.createNativeQuery(
                                    "SELECT s.state, s.schema_capacity FROM public.tenant_servers s WHERE s.name = :name FOR UPDATE")
                            .setParameter("name", requested).getResultList())
                    .flatMap(rows -> {
                        if (rows.isEmpty()) {
                            throw new FlotillaException(ErrorCode.SERVER_UNKNOWN, "No server named '" + requested
                                    + "' is registered (GET /api/v1/servers lists them); nothing was created",
                                    Map.of("server", requested));
                        }
                        Object[] row = (Object[]) rows.get(0);
                        if (!"active".equals(row[0])) {
                            throw new FlotillaException(ErrorCode.SERVER_NOT_ACCEPTING, "Server '" + requested + "' is "
                                    + row[0] + " and takes no new companies; nothing was created",
                                    Map.of("server", requested, "state", String.valueOf(row[0])));
                        }
                        return companiesOn(requested).map(count -> {
                            if (row[1] != null && count >= ((Number) row[1]).longValue()) {
                                throw new FlotillaException(ErrorCode.SERVER_NOT_ACCEPTING, "Server '" + requested
                                        + "' is full (" + count + " of its capacity " + row[1] + "); nothing was created",
                                        Map.of("server", requested, "capacity", row[1]));
                            }
                            return requested;
                        });
                    });
        }
        return Panache.getSession().flatMap(session -> session.createNativeQuery(
                                "SELECT s.name FROM public.tenant_servers s WHERE s.state = 'active' ORDER BY s.name FOR UPDATE")
                        .getResultList()
                        .flatMap(locked -> session.createNativeQuery("SELECT s.name FROM public.tenant_servers s"
                                        + " LEFT JOIN (SELECT server, count(*) AS n FROM public.companies WHERE deleted_at IS NULL"
                                        + " GROUP BY server) c ON c.server = s.name WHERE s.state = 'active'"
                                        + " AND (s.schema_capacity IS NULL OR coalesce(c.n, 0) < s.schema_capacity)"
                                        + " ORDER BY coalesce(c.n, 0), s.name LIMIT 1")
                                .getResultList()))
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw new FlotillaException(ErrorCode.SERVER_NOT_ACCEPTING, "No active server has room for a"
                                + " new company (each is draining, offline or at its schema capacity); nothing was created");
                    }
                    return (String) rows.get(0);
                });
    }

    private Uni<Long> companiesOn(String server) {
        return count("server = ?1 and deletedAt is null", server);
    }

    /**
     * The unique constraints are the truth about duplicates. Hibernate Reactive reports the violated constraint's
     * name (PostgreSQL's detail does not reach it): {@code companies_schema_name_key} here, and an adopted table's
     * constraint on schema_name is named after the column too.
     */
    private static Throwable uniqueViolation(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof ConstraintViolationException violation
                    && violation.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE) {
                String constraint = String.valueOf(violation.getConstraintName()).toLowerCase(Locale.ROOT);
                if (constraint.contains("schema")) {
                    return new FlotillaException(ErrorCode.SCHEMA_NAME_TAKEN,
                            "Another company already uses this schemaName", Map.of(), violation);
                }
                return new FlotillaException(ErrorCode.COMPANY_NAME_TAKEN,
                        "Another company already uses this companyName", Map.of(), violation);
            }
        }
        return failure;
    }
}
