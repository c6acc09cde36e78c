package io.flotilla.move;

import io.flotilla.catalog.CatalogService;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.Server;
import io.flotilla.server.ServerPools;
import io.flotilla.server.ServerRepository;
import io.flotilla.server.ServerState;
import io.flotilla.sql.TenantDatabase;
import io.flotilla.tenant.Company;
import io.flotilla.tenant.CompanyService;
import io.flotilla.verification.VerificationService;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.flotilla.sql.Detached.detached;

/**
 * Starting, following and cancelling moves. A move is checked whole before it is recorded (the company active, the
 * target another registered server that takes companies, the source's schema as its applied versions build it, the
 * method possible); then its job runs in this process ({@link MoveJob}) and the answer is the move as recorded.
 */
@ApplicationScoped
public class MoveService {

    /** Where a company lives, and the move under way if any. */
    public record Location(UUID companyId, String server, String host, Integer port, String database, String schema,
                           Move moving) {
    }

    private final CompanyService companies;
    private final ServerRepository servers;
    private final ServerPools pools;
    private final VerificationService verification;
    private final CatalogService catalog;
    private final MoveRepository moves;
    private final MoveJob job;

    public MoveService(CompanyService companies, ServerRepository servers, ServerPools pools,
                       VerificationService verification, CatalogService catalog, MoveRepository moves, MoveJob job) {
        this.companies = companies;
        this.servers = servers;
        this.pools = pools;
        this.verification = verification;
        this.catalog = catalog;
        this.moves = moves;
        this.job = job;
    }

    /** Checks, records and starts a move of the company to {@code targetName}; {@code allowCopy} false refuses a copy. */
    public Uni<Move> start(UUID companyId, String targetName, boolean allowCopy) {
        if (targetName == null || targetName.isBlank()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "server (the target's name) is required");
        }
        String target = targetName.trim();
        return companies.get(companyId).flatMap(company -> {
            if (!company.migratable()) {
                throw new FlotillaException(ErrorCode.MOVE_REFUSED, "Company '" + company.companyName() + "' is "
                        + (company.deletedAt() != null ? "deleted" : company.status().value())
                        + "; only active companies are moved", Map.of("companyId", companyId));
            }
            if (company.server().equals(target)) {
                throw new FlotillaException(ErrorCode.MOVE_REFUSED, "Company '" + company.companyName()
                        + "' already lives on server '" + target + "'", Map.of("server", target));
            }
            return servers.find(target).flatMap(server -> {
                if (server == null) {
                    throw new FlotillaException(ErrorCode.SERVER_UNKNOWN, "No server named '" + target
                            + "' is registered (GET /api/v1/servers lists them); nothing was moved", Map.of("server", target));
                }
                if (server.state() != ServerState.ACTIVE) {
                    throw new FlotillaException(ErrorCode.SERVER_NOT_ACCEPTING, "Server '" + target + "' is "
                            + server.state().value() + " and takes no companies; nothing was moved",
                            Map.of("server", target, "state", server.state().value()));
                }
                return moves.unfinished(companyId).flatMap(running -> {
                    if (running != null) {
                        throw new FlotillaException(ErrorCode.MOVE_REFUSED, "The company is already being moved to '"
                                + running.target() + "' (move " + running.id() + "); wait for it or cancel it",
                                Map.of("moveId", running.id()));
                    }
                    return plan(company, server, allowCopy);
                });
            });
        });
    }

    private Uni<Move> plan(Company company, Server target, boolean allowCopy) {
        return Uni.combine().all().unis(pools.forWork(company.server()), pools.forWork(target.name())).asTuple()
                .flatMap(dbs -> {
                    TenantDatabase source = dbs.getItem1();
                    TenantDatabase to = dbs.getItem2();
                    Uni<Row> sourceAbility = source.pool().query(ReplicationSql.SOURCE_ABILITY).execute()
                            .map(MoveRepository::first);
                    Uni<Boolean> targetAbility = to.pool().query(ReplicationSql.TARGET_ABILITY).execute()
                            .map(rows -> Boolean.TRUE.equals(MoveRepository.first(rows).getBoolean(0)));
                    Uni<Long> size = source.pool().preparedQuery(ReplicationSql.RELATIONS)
                            .execute(io.vertx.mutiny.sqlclient.Tuple.of(company.schemaName()))
                            .map(rows -> {
                                long bytes = 0;
                                for (Row r : rows) {
                                    bytes += r.getLong("bytes");
                                }
                                return bytes;
                            });
                    return Uni.combine().all().unis(sourceAbility, targetAbility, size).asTuple()
                            .flatMap(read -> {
                                String walLevel = read.getItem1().getString(0);
                                boolean replicates = Boolean.TRUE.equals(read.getItem1().getBoolean(1));
                                String why = source.home() ? "the source is the control plane's own database"
                                        : !"logical".equals(walLevel) ? "the source's wal_level is " + walLevel
                                        : !replicates ? "the source's registered role may not replicate (REPLICATION)"
                                        : !read.getItem2() ? "the target's registered role may not create subscriptions"
                                        : null;
                                MoveMethod method = why == null ? MoveMethod.LOGICAL : MoveMethod.COPY;
                                if (method == MoveMethod.COPY && !allowCopy) {
                                    throw new FlotillaException(ErrorCode.MOVE_REFUSED, "Logical replication is not"
                                            + " possible (" + why + ") and allowCopy is false: a copy would block writes"
                                            + " for the whole copy of about " + read.getItem3() + " bytes; nothing was moved",
                                            Map.of("method", "copy", "reason", why, "estimatedBytes", read.getItem3()));
                                }
                                return checkShape(company).flatMap(ok -> moves.insert(UUID.randomUUID(), company.id(),
                                        company.schemaName(), company.server(), target.name(), method, read.getItem3(),
                                        job.owner()));
                            });
                })
                .invoke(move -> {
                    Log.infof("Move %s: company %s (%s) from %s to %s by %s", move.id(), company.companyName(),
                            company.schemaName(), move.source(), move.target(), move.method().value());
                    job.launch(move, company);
                });
    }

    /** The source's schema must be what its applied versions build: a drifted one would not build the same on the target. */
    private Uni<Boolean> checkShape(Company company) {
        return detached(verification.verify(company, catalog.catalog())).map(v -> {
            if (!v.ok()) {
                Map<String, Object> details = new HashMap<>();
                details.put("missingTables", v.missingTables());
                details.put("extraTables", v.extraTables());
                details.put("rlsDisabled", v.rlsDisabled());
                details.put("withoutPolicy", v.withoutPolicy());
                details.put("unverifiable", v.unverifiable());
                if (v.failure() != null) {
                    details.put("buildFailure", v.failure());
                }
                throw new FlotillaException(ErrorCode.MOVE_DRIFTED, "The schema of company '" + company.companyName()
                        + "' differs from what its applied versions build (GET /api/v1/companies/" + company.id()
                        + "/verify); resolve the drift before moving it. Nothing was moved", details);
            }
            return true;
        });
    }

    public Uni<Move> get(UUID id) {
        return moves.find(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<List<Move>> list(UUID companyId, int limit) {
        if (limit < 1 || limit > 500) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 500");
        }
        return moves.list(companyId, limit);
    }

    /** Asks the move to stop; its job rolls it back at its next check. A finished move answers move-state. */
    public Uni<Move> cancel(UUID id) {
        return moves.requestCancel(id).flatMap(unfinished -> {
            if (unfinished == null) {
                throw notFound(id);
            }
            if (!unfinished) {
                return moves.find(id).map(m -> {
                    throw new FlotillaException(ErrorCode.MOVE_STATE, "Move " + id + " has already ended ("
                            + m.phase().value() + ")", Map.of("phase", m.phase().value()));
                });
            }
            return moves.find(id);
        });
    }

    /** Host, port, database and schema of the company's server (never a password), and its unfinished move. */
    public Uni<Location> location(UUID companyId) {
        return companies.get(companyId).flatMap(company -> Uni.combine().all()
                .unis(servers.find(company.server()), moves.unfinished(companyId)).asTuple()
                .map(read -> {
                    Server s = read.getItem1();
                    return new Location(company.id(), company.server(), s == null ? null : s.host(),
                            s == null ? null : s.port(), s == null ? null : s.database(), company.schemaName(),
                            read.getItem2());
                }));
    }

    private static FlotillaException notFound(UUID id) {
        return new FlotillaException(ErrorCode.MOVE_NOT_FOUND, "No move with id " + id);
    }
}
