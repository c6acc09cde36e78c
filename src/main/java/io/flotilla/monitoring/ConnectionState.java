package io.flotilla.monitoring;

import java.util.Arrays;
import java.util.Locale;

/**
 * The states {@code pg_stat_activity.state} can take, plus {@link #OTHER} for null or anything newer: a fixed set,
 * so the {@code state} tag of {@code flotilla.db.connections} has a bounded number of values.
 */
public enum ConnectionState {
    ACTIVE("active"),
    IDLE("idle"),
    IDLE_IN_TRANSACTION("idle in transaction"),
    IDLE_IN_TRANSACTION_ABORTED("idle in transaction (aborted)"),
    FASTPATH_FUNCTION_CALL("fastpath function call"),
    DISABLED("disabled"),
    OTHER(null);

    private final String pgState;

    ConnectionState(String pgState) {
        this.pgState = pgState;
    }

    /** The tag value: {@code idle_in_transaction} rather than PostgreSQL's text with spaces. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConnectionState of(String pgState) {
        return Arrays.stream(values()).filter(s -> s.pgState != null && s.pgState.equals(pgState)).findFirst()
                .orElse(OTHER);
    }
}
