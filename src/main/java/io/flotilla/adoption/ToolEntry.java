package io.flotilla.adoption;

/**
 * One version as another tool's history leaves it, after that tool's own rules (last row wins, undone versions
 * gone).
 *
 * @param version  the version as the tool spells it
 * @param checksum what the tool recorded of the file (Flyway's CRC32, Prisma's SHA-256), or null when it keeps none
 */
public record ToolEntry(String version, String checksum, Status status) {

    public enum Status {
        /** Applied, as far as the tool knows. */
        APPLIED,
        /** This version and every earlier one: golang-migrate keeps only the latest, a baseline marks a starting point. */
        UP_TO,
        /** golang-migrate's dirty flag: a migration stopped half-way. */
        DIRTY,
        /** A failed step (Flyway {@code success = false}). */
        FAILED,
        /** Started and never finished (Prisma {@code finished_at} null). */
        UNFINISHED,
        /** Marked rolled back after a failure and not applied since (Prisma {@code rolled_back_at}). */
        ROLLED_BACK;

        /** Whether the history is unfinished business rather than a state to adopt. */
        public boolean refused() {
            return this == DIRTY || this == FAILED || this == UNFINISHED || this == ROLLED_BACK;
        }
    }
}
