package io.flotilla.move;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code public.company_moves} in the control plane's database, and the flip of a company's server; parameterised SQL. */
@ApplicationScoped
public class MoveRepository {

    private static final String UNFINISHED = "('preparing', 'copying', 'catching-up', 'cutting-over')";

    private final Pool pool;

    public MoveRepository(Pool pool) {
        this.pool = pool;
    }

    /** The new move; a second unfinished move of the same company fails with move-refused. */
    Uni<Move> insert(UUID id, UUID companyId, String schema, String source, String target, MoveMethod method,
                     Long estimatedBytes, String owner) {
        return pool.preparedQuery("INSERT INTO public.company_moves (id, company_id, schema_name, source, target, method,"
                        + " estimated_bytes, owner) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + Move.COLUMNS)
                .execute(Tuple.tuple(List.of(id, companyId, schema, source, target, method.value()))
                        .addValue(estimatedBytes).addValue(owner))
                .map(rows -> Move.from(rows.iterator().next()))
                .onFailure(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState()))
                .transform(e -> new FlotillaException(ErrorCode.MOVE_REFUSED, "The company is already being moved;"
                        + " wait for that move to end or cancel it", Map.of("companyId", companyId), e));
    }

    public Uni<Move> find(UUID id) {
        return pool.preparedQuery("SELECT " + Move.COLUMNS + " FROM public.company_moves WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : Move.from(rows.iterator().next()));
    }

    /** Newest first; {@code companyId} null for every company. */
    public Uni<List<Move>> list(UUID companyId, int limit) {
        return pool.preparedQuery("SELECT " + Move.COLUMNS + " FROM public.company_moves"
                        + " WHERE $1::uuid IS NULL OR company_id = $1 ORDER BY created_at DESC, id LIMIT $2")
                .execute(Tuple.of(companyId, limit))
                .map(rows -> {
                    List<Move> moves = new ArrayList<>();
                    rows.forEach(r -> moves.add(Move.from(r)));
                    return moves;
                });
    }

    /** The company's unfinished move, or a null item: what rollouts and the location ask. */
    public Uni<Move> unfinished(UUID companyId) {
        return pool.preparedQuery("SELECT " + Move.COLUMNS + " FROM public.company_moves WHERE company_id = $1"
                        + " AND phase IN " + UNFINISHED)
                .execute(Tuple.of(companyId)).map(rows -> rows.size() == 0 ? null : Move.from(rows.iterator().next()));
    }

    /** Where a company is now, and the move under way if any (moveId null when none). */
    public record Whereabouts(String server, UUID moveId, String target) {
    }

    /** One round trip: the company's server as committed now, and its unfinished move. Null item for no such company. */
    public Uni<Whereabouts> whereabouts(UUID companyId) {
        return pool.preparedQuery("SELECT c.server, m.id, m.target FROM public.companies c"
                        + " LEFT JOIN public.company_moves m ON m.company_id = c.id AND m.phase IN " + UNFINISHED
                        + " WHERE c.id = $1")
                .execute(Tuple.of(companyId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Whereabouts(r.getString(0), r.getUUID(1), r.getString(2));
                });
    }

    /**
     * Unfinished moves another process owns whose rows have not changed for {@code staleSeconds}: their process died.
     * Claimed here in the same statement (owner {@code <owner>:sweep}, so that a roll-back that fails is claimed again
     * once stale), so two replicas never roll back the same move at once.
     */
    Uni<List<Move>> claimOrphans(String owner, long staleSeconds) {
        return pool.preparedQuery("UPDATE public.company_moves SET owner = $1 || ':sweep', updated_at = now() WHERE phase IN "
                        + UNFINISHED + " AND owner <> $1 AND updated_at < now() - make_interval(secs => $2)"
                        + " RETURNING " + Move.COLUMNS)
                .execute(Tuple.of(owner, (double) staleSeconds))
                .map(rows -> {
                    List<Move> moves = new ArrayList<>();
                    rows.forEach(r -> moves.add(Move.from(r)));
                    return moves;
                });
    }

    Uni<Void> phase(UUID id, MovePhase phase) {
        return pool.preparedQuery("UPDATE public.company_moves SET phase = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, phase.value())).replaceWithVoid();
    }

    Uni<Void> replicaFull(UUID id, List<String> tables) {
        return pool.preparedQuery("UPDATE public.company_moves SET replica_full = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, tables.toArray(String[]::new))).replaceWithVoid();
    }

    /** Progress as last measured; null lag keeps the one recorded. Emits whether a cancel was asked for meanwhile. */
    Uni<Boolean> progress(UUID id, long rows, long bytes, Long lag) {
        return pool.preparedQuery("UPDATE public.company_moves SET rows_copied = $2, bytes_copied = $3,"
                        + " lag_bytes = coalesce($4, lag_bytes), updated_at = now() WHERE id = $1 RETURNING cancel_requested")
                .execute(Tuple.of(id, rows, bytes, lag))
                .map(r -> r.size() > 0 && r.iterator().next().getBoolean(0));
    }

    Uni<Boolean> cancelRequested(UUID id) {
        return pool.preparedQuery("SELECT cancel_requested FROM public.company_moves WHERE id = $1")
                .execute(Tuple.of(id)).map(r -> r.size() > 0 && r.iterator().next().getBoolean(0));
    }

    /** Asks an unfinished move to stop; null item when the move is unknown, false when it had already finished. */
    Uni<Boolean> requestCancel(UUID id) {
        return pool.preparedQuery("UPDATE public.company_moves SET cancel_requested = true, updated_at = now()"
                        + " WHERE id = $1 RETURNING phase")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : !MovePhase.of(rows.iterator().next().getString(0)).finished());
    }

    /** Ends the move as failed or cancelled (only an unfinished one). */
    Uni<Void> end(UUID id, MovePhase phase, String error) {
        return pool.preparedQuery("UPDATE public.company_moves SET phase = $2, error = $3, finished_at = now(),"
                        + " updated_at = now() WHERE id = $1 AND phase IN " + UNFINISHED)
                .execute(Tuple.of(id, phase.value(), error)).replaceWithVoid();
    }

    /**
     * The cut-over's commit at home, in one transaction: the company's server flips to the target, its copied state
     * rows forget the source's ledger ids (the target's steps win from now on), and the move is done with its pause.
     * Fails (nothing changed) unless the company is still on the source and the move still cutting over.
     */
    Uni<Void> flip(Move move, long rows, long bytes, long pauseMs, String renamedTo) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE public.companies SET server = $3,"
                                + " updated_at = now() WHERE id = $1 AND server = $2")
                        .execute(Tuple.of(move.companyId(), move.source(), move.target()))
                        .flatMap(flipped -> {
                            if (flipped.rowCount() != 1) {
                                return Uni.createFrom().failure(new IllegalStateException(
                                        "the company is no longer on server " + move.source()));
                            }
                            return conn.preparedQuery("UPDATE public.migration_state SET server_ledger_id = NULL"
                                            + " WHERE company_id = $1").execute(Tuple.of(move.companyId()))
                                    .flatMap(x -> conn.preparedQuery("UPDATE public.repeatable_state"
                                            + " SET server_ledger_id = NULL WHERE company_id = $1")
                                            .execute(Tuple.of(move.companyId())))
                                    .flatMap(x -> conn.preparedQuery("UPDATE public.company_moves SET phase = 'done',"
                                                    + " rows_copied = $2, bytes_copied = $3, pause_ms = $4, renamed_to = $5,"
                                                    + " lag_bytes = 0, finished_at = now(), updated_at = now()"
                                                    + " WHERE id = $1 AND phase = 'cutting-over'")
                                            .execute(Tuple.of(move.id(), rows, bytes, pauseMs, renamedTo)))
                                    .map(done -> {
                                        if (done.rowCount() != 1) {
                                            throw new IllegalStateException("the move is no longer cutting over");
                                        }
                                        return (Void) null;
                                    });
                        }));
    }

    static Row first(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        return rows.iterator().next();
    }
}
