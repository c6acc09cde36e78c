package io.flotilla.window;

import com.fasterxml.jackson.annotation.JsonValue;

import java.time.DayOfWeek;
import java.util.Locale;

/** A day of a window's weekly range, as clients write it: {@code mon} … {@code sun}. */
public enum Weekday {
    MON, TUE, WED, THU, FRI, SAT, SUN;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public DayOfWeek dayOfWeek() {
        return DayOfWeek.of(ordinal() + 1);
    }

    public static Weekday of(DayOfWeek day) {
        return values()[day.getValue() - 1];
    }

    /** The day a client wrote, or null when it is none of the seven. */
    static Weekday parse(String text) {
        for (Weekday d : values()) {
            if (d.value().equals(text)) {
                return d;
            }
        }
        return null;
    }
}
