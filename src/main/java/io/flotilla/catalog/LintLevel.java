package io.flotilla.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How much a broken lint rule counts: an error makes the lint fail, a warning is reported, off is not checked. */
public enum LintLevel {
    ERROR, WARNING, OFF;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LintLevel> byId(String id) {
        return Arrays.stream(values()).filter(l -> l.id().equalsIgnoreCase(id)).findFirst();
    }
}
