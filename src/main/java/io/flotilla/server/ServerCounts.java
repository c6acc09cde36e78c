package io.flotilla.server;

/**
 * A server's companies: not deleted; of the active ones, how many are not at the catalog's latest version (pending)
 * and how many had their last step fail (failed), counted as {@code /api/v1/fleet} counts them.
 */
public record ServerCounts(long companies, long pending, long failed) {

    public static final ServerCounts NONE = new ServerCounts(0, 0, 0);
}
