package io.flotilla.window;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * When a company may be worked on: one or more weekly ranges in its time zone. Pure arithmetic on instants, so the
 * rules are tested at any instant without waiting for one (and the worker asks with its own clock's now).
 * Checked by {@link WindowRules} before it is built: the ranges neither overlap nor are empty.
 */
public record MaintenanceWindow(ZoneId zone, List<WeeklyRange> ranges) {

    public MaintenanceWindow {
        ranges = List.copyOf(ranges);
    }

    /** Whether {@code now} is inside one of its ranges (an opening counts as inside, a closing not). */
    public boolean isOpen(Instant now) {
        return closesAfter(now).isPresent();
    }

    /**
     * When the range {@code now} is in closes; empty when it is closed at {@code now}. A range that opened yesterday
     * and crosses midnight counts, so yesterday's openings are looked at too.
     */
    public Optional<Instant> closesAfter(Instant now) {
        LocalDate today = now.atZone(zone).toLocalDate();
        for (LocalDate date = today.minusDays(1); !date.isAfter(today); date = date.plusDays(1)) {
            for (WeeklyRange range : ranges) {
                if (range.opensOn(date.getDayOfWeek())) {
                    Instant open = range.opening(date, zone).toInstant();
                    Instant close = range.closing(date, zone).toInstant();
                    if (!now.isBefore(open) && now.isBefore(close)) {
                        return Optional.of(close);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The first opening at or after {@code now}; {@code now} itself when it is open. Every range opens at least once
     * a week, so eight days ahead always hold one.
     */
    public Instant nextOpening(Instant now) {
        if (isOpen(now)) {
            return now;
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        Instant next = null;
        for (LocalDate date = today; !date.isAfter(today.plusDays(8)); date = date.plusDays(1)) {
            for (WeeklyRange range : ranges) {
                if (range.opensOn(date.getDayOfWeek())) {
                    Instant open = range.opening(date, zone).toInstant();
                    if (!open.isBefore(now) && (next == null || open.isBefore(next))) {
                        next = open;
                    }
                }
            }
            if (next != null) {
                return next;
            }
        }
        throw new IllegalStateException("a window without openings: " + this);
    }

    @Override
    public String toString() {
        return String.join("; ", ranges.stream().map(WeeklyRange::toString).toList()) + " " + zone.getId();
    }
}
