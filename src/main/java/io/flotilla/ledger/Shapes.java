package io.flotilla.ledger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.UUID;

/**
 * The fleet's shapes ({@code company_shapes}, {@code state_shapes}: V7, V10, V14), kept with the home database's
 * {@code migration_state} and {@code repeatable_state} by triggers. A migrator defers them for every step of a run
 * but the last ({@link #later}); readers first bring up to date whatever a dead process left deferred
 * ({@link #settle}).
 */
public final class Shapes {

    /**
     * In a step's transaction, before its record: the triggers stand aside until the commit, and the company's shape
     * is marked stale instead (made if the company has none yet), under the row lock a recomputation takes.
     */
    private static final String LATER = "WITH marked AS (INSERT INTO public.company_shapes AS cs (company_id, shape,"
            + " failed, stale) VALUES ($1, '', false, true) ON CONFLICT (company_id) DO UPDATE SET stale = true)"
            + " SELECT set_config('flotilla.shapes', 'later', true)";

    private Shapes() {
    }

    /** Defers the shape of {@code companyId} for the rest of the transaction open on {@code conn}. */
    public static Uni<Void> later(SqlConnection conn, UUID companyId) {
        return conn.preparedQuery(LATER).execute(Tuple.of(companyId)).replaceWithVoid();
    }

    /**
     * Recomputes the shapes marked stale: none, usually, or the few companies a rollout is in the middle of, or
     * those of a run a dead process left. One statement; the caller reads the shapes after it.
     */
    public static Uni<Integer> settle(Pool pool) {
        return pool.query("SELECT public.flotilla_reshape_stale()").execute()
                .map(rows -> rows.iterator().next().getInteger(0));
    }
}
