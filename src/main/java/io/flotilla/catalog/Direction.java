package io.flotilla.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Up applies a migration, down runs its rollback script. */
public enum Direction {
    UP, DOWN;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Direction parse(String text) {
        return Direction.valueOf(text.toUpperCase(Locale.ROOT));
    }
}
