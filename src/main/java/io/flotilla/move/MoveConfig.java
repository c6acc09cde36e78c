package io.flotilla.move;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How moves poll, and how long their steps may take ({@code flotilla.moves.*}). */
@ConfigMapping(prefix = "flotilla.moves")
public interface MoveConfig {

    /** How often a move measures its copy's progress and the replication lag. */
    @WithDefault("200ms")
    Duration pollInterval();

    /** The cut-over starts once the target is this close behind the source (bytes of WAL). */
    @WithDefault("1048576")
    long cutOverLag();

    /** The initial copy and the catch-up together may take this long before the move fails. */
    @WithDefault("6h")
    Duration copyTimeout();

    /** The cut-over waits this long for the write lock on the source's tables (writers in flight finish first). */
    @WithDefault("10s")
    Duration lockTimeout();

    /** Inside the pause, the target may take this long to confirm the source's last write, else the move fails. */
    @WithDefault("30s")
    Duration catchUpTimeout();

    /**
     * An unfinished move of another process whose row has not changed this long is an orphan (its process died): the
     * sweep rolls it back. A running move writes its row at every poll of its copy and catch-up.
     */
    @WithDefault("10m")
    Duration orphanAfter();

    /** How often each replica looks for orphaned moves and leftover replication objects. */
    @WithDefault("1m")
    Duration sweepInterval();
}
