package io.flotilla.monitoring;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.UUID;

/**
 * A table or materialized view in a tenant schema and its on-disk size in bytes: {@code totalBytes} is everything
 * (heap, TOAST, indexes), {@code tableBytes} the main heap alone, {@code indexBytes} its indexes.
 */
public record TableSize(UUID companyId, String companyName, String schemaName, String tableName, Kind kind,
                        long totalBytes, long tableBytes, long indexBytes) {

    public enum Kind {
        TABLE, MATERIALIZED_VIEW;

        @JsonValue
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
