package io.flotilla.api;

import io.flotilla.window.MaintenanceWindow;
import io.flotilla.window.WeeklyRange;
import io.flotilla.window.Weekday;
import io.flotilla.window.WindowRules;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Comparator;
import java.util.List;

/**
 * A company's maintenance window as clients write and read it: a time zone and weekly ranges. Checked by
 * {@link WindowRules} (400 invalid-window).
 */
@Schema(name = "MaintenanceWindow", description = "When rollouts and the scheduled maintenance jobs may work on the"
        + " company: inside one of the weekly ranges, local times of timeZone")
public record WindowView(
        @Schema(required = true, description = "An IANA time zone; summer time is followed",
                examples = "Europe/Berlin") String timeZone,
        @Schema(required = true, minItems = 1, description = "Ranges that neither overlap nor are empty")
        List<Range> ranges) {

    /** One weekly range: opens at {@code from} on each of {@code days}, closes at {@code to}. */
    @Schema(name = "WindowRange")
    public record Range(
            @Schema(required = true, type = SchemaType.ARRAY, minItems = 1, implementation = Weekday.class,
                    description = "The days it opens on, each once") List<String> days,
            @Schema(required = true, description = "Local opening time, HH:MM or HH:MM:SS", examples = "01:00")
            String from,
            @Schema(required = true, description = "Local closing time, HH:MM or HH:MM:SS, or 24:00; at or before"
                    + " from: it closes on the next day (the range crosses midnight)", examples = "05:00")
            String to) {
    }

    public MaintenanceWindow parse() {
        return WindowRules.parse(timeZone, ranges == null ? null : ranges.stream()
                .map(r -> r == null ? null : new WindowRules.RangeText(r.days(), r.from(), r.to())).toList());
    }

    public static WindowView of(MaintenanceWindow w) {
        return w == null ? null : new WindowView(w.zone().getId(), w.ranges().stream()
                .map(r -> new Range(r.days().stream().sorted(Comparator.naturalOrder()).map(Weekday::value).toList(),
                        r.fromText(), r.toText()))
                .toList());
    }
}
