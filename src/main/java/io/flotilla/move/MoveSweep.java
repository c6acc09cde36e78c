package io.flotilla.move;

import io.flotilla.config.Periodic;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.TenantDatabase;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;

/**
 * Moves whose process died: each is rolled back (the company stays on its source) and every replication object it
 * made is dropped, on both servers. An orphaned slot on a busy server keeps its WAL forever and fills the disk, so
 * this runs at start-up and every {@code flotilla.moves.sweep-interval} on every replica.
 */
@ApplicationScoped
public class MoveSweep {

    private final MoveRepository moves;
    private final MoveJob job;
    private final ServerPools pools;
    private final MoveConfig config;
    private Periodic timer;

    public MoveSweep(MoveRepository moves, MoveJob job, ServerPools pools, MoveConfig config) {
        this.moves = moves;
        this.job = job;
        this.pools = pools;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.sweepInterval();
        timer = Periodic.start("flotilla-move-sweep", Duration.ofSeconds(5), every, every.multipliedBy(10),
                "Move sweep", this::sweep);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stop();
        }
    }

    /** One pass: emits the moves rolled back. */
    public Uni<List<Move>> sweep() {
        return moves.claimOrphans(job.owner(), config.orphanAfter().toSeconds())
                .flatMap(orphans -> Multi.createFrom().iterable(orphans)
                        .onItem().transformToUniAndConcatenate(move -> rollBack(move).replaceWith(move))
                        .collect().asList());
    }

    /**
     * The replication objects dropped, the source schema given back its name if the cut-over renamed it without the
     * flip at home, replica identities restored, the target's schema and state dropped, the move recorded failed.
     */
    Uni<Void> rollBack(Move move) {
        return Uni.combine().all().unis(pools.database(move.source()), pools.database(move.target())).asTuple()
                .flatMap(dbs -> {
                    TenantDatabase source = dbs.getItem1();
                    TenantDatabase target = dbs.getItem2();
                    String renamed = MoveJob.renamedName(move.schemaName(), move.id());
                    return job.dropReplication(target, source, move.replicationName(), move.method() == MoveMethod.LOGICAL)
                            .flatMap(x -> source.pool().preparedQuery("SELECT nspname::text FROM pg_namespace"
                                            + " WHERE nspname IN ($1, $2)").execute(Tuple.of(move.schemaName(), renamed))
                                    .flatMap(rows -> {
                                        boolean original = false;
                                        boolean moved = false;
                                        for (var r : rows) {
                                            original |= r.getString(0).equals(move.schemaName());
                                            moved |= r.getString(0).equals(renamed);
                                        }
                                        return moved && !original
                                                ? source.pool().query(ReplicationSql.renameSchema(renamed, move.schemaName()))
                                                        .execute().replaceWithVoid()
                                                : Uni.createFrom().voidItem();
                                    }))
                            .flatMap(x -> MoveJob.each(move.replicaFull(), t -> source.pool().query(
                                    ReplicationSql.replicaIdentity(move.schemaName(), t, false)).execute()
                                    .onFailure().recoverWithNull()))
                            .flatMap(x -> target.pool().query(ReplicationSql.dropSchema(move.schemaName())).execute())
                            .flatMap(x -> target.home() ? Uni.createFrom().voidItem()
                                    : target.pool().preparedQuery("DELETE FROM public.migration_state WHERE company_id = $1")
                                    .execute(Tuple.of(move.companyId()))
                                    .flatMap(y -> target.pool().preparedQuery("DELETE FROM public.repeatable_state"
                                            + " WHERE company_id = $1").execute(Tuple.of(move.companyId())))
                                    .replaceWithVoid())
                            .flatMap(x -> moves.end(move.id(), MovePhase.FAILED, "interrupted: the process running it"
                                    + " stopped; rolled back, the company stays on " + move.source()));
                })
                .invoke(() -> Log.warnf("Move %s of %s was orphaned (its process stopped): rolled back, replication"
                        + " objects dropped", move.id(), move.schemaName()))
                .onFailure().invoke(e -> Log.warnf("Orphaned move %s not rolled back yet: %s", move.id(), e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
