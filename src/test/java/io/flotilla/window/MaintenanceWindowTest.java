package io.flotilla.window;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The window arithmetic and rules at chosen instants: no database, no waiting for an hour to come. */
class MaintenanceWindowTest {

    static MaintenanceWindow window(String zone, WindowRules.RangeText... ranges) {
        return WindowRules.parse(zone, List.of(ranges));
    }

    static WindowRules.RangeText range(String days, String from, String to) {
        return new WindowRules.RangeText(List.of(days.split(",")), from, to);
    }

    static final MaintenanceWindow BERLIN_NIGHTS = window("Europe/Berlin", range("mon,tue,wed,thu,fri", "01:00", "05:00"));

    @Test
    void openInsideItsRangesInItsZoneAndClosedOutside() {
        // 2026-12-08 is a Tuesday; Berlin is UTC+1 in winter: 01:00-05:00 local is 00:00-04:00 UTC.
        assertTrue(BERLIN_NIGHTS.isOpen(Instant.parse("2026-12-08T00:00:00Z")), "the opening itself is inside");
        assertTrue(BERLIN_NIGHTS.isOpen(Instant.parse("2026-12-08T03:59:59Z")));
        assertFalse(BERLIN_NIGHTS.isOpen(Instant.parse("2026-12-08T04:00:00Z")), "the closing is outside");
        assertFalse(BERLIN_NIGHTS.isOpen(Instant.parse("2026-12-07T23:59:59Z")));
        // Saturday night: no range.
        assertFalse(BERLIN_NIGHTS.isOpen(Instant.parse("2026-12-12T01:00:00Z")));
        assertEquals(Instant.parse("2026-12-08T04:00:00Z"), BERLIN_NIGHTS.closesAfter(Instant.parse("2026-12-08T01:00:00Z")).orElseThrow());
    }

    @Test
    void theNextOpeningSkipsTheWeekendAndFollowsSummerTime() {
        // Friday 12:00 UTC: next is Monday 01:00 Berlin = 00:00 UTC.
        assertEquals(Instant.parse("2026-12-14T00:00:00Z"), BERLIN_NIGHTS.nextOpening(Instant.parse("2026-12-11T12:00:00Z")));
        // In July Berlin is UTC+2: Monday 01:00 local is Sunday 23:00 UTC.
        assertEquals(Instant.parse("2026-07-05T23:00:00Z"), BERLIN_NIGHTS.nextOpening(Instant.parse("2026-07-03T12:00:00Z")));
        Instant inside = Instant.parse("2026-12-08T02:00:00Z");
        assertEquals(inside, BERLIN_NIGHTS.nextOpening(inside), "open now: the next opening is now");
    }

    @Test
    void aRangeCrossingMidnightIsOpenOnTheNextDayUntilItsEnd() {
        MaintenanceWindow sydney = window("Australia/Sydney", range("sun", "22:00", "02:00"));
        // Sydney is UTC+11 in December: Sunday 22:00 local = Sunday 11:00 UTC; Monday 02:00 local = Sunday 15:00 UTC.
        assertTrue(sydney.isOpen(Instant.parse("2026-12-13T14:30:00Z")), "Monday 01:30 in Sydney");
        assertFalse(sydney.isOpen(Instant.parse("2026-12-13T15:00:00Z")));
        assertEquals(Instant.parse("2026-12-20T11:00:00Z"), sydney.nextOpening(Instant.parse("2026-12-13T15:00:00Z")));
        assertEquals("sun 22:00-02:00 Australia/Sydney", sydney.toString());
    }

    @Test
    void aWholeDayAndSecondsAreAllowed() {
        MaintenanceWindow w = window("UTC", range("sat", "00:00", "24:00"), range("sun", "00:00:30", "00:01"));
        assertTrue(w.isOpen(Instant.parse("2026-12-12T23:59:59Z")));
        assertFalse(w.isOpen(Instant.parse("2026-12-13T00:00:10Z")));
        assertTrue(w.isOpen(Instant.parse("2026-12-13T00:00:30Z")));
        assertEquals(w, WindowRules.stored("UTC", w.ranges().stream().map(WeeklyRange::toString).toList()),
                "stored as text and read back the same");
    }

    @Test
    void badWindowsAreRefusedNamingWhatIsWrong() {
        refused("not a known IANA time zone", () -> window("Europe/Atlantis", range("mon", "01:00", "02:00")));
        refused("not a known IANA time zone", () -> window("+02:00", range("mon", "01:00", "02:00")));
        refused("timeZone is required", () -> window(null, range("mon", "01:00", "02:00")));
        refused("at least one range", () -> WindowRules.parse("UTC", List.of()));
        refused("is empty", () -> window("UTC", range("mon", "03:00", "03:00")));
        refused("at least one day", () -> WindowRules.parse("UTC", List.of(new WindowRules.RangeText(List.of(), "01:00", "02:00"))));
        refused("'monday' is not one of", () -> window("UTC", range("monday", "01:00", "02:00")));
        refused("names mon twice", () -> window("UTC", range("mon,mon", "01:00", "02:00")));
        refused("'25:00' is not a local time", () -> window("UTC", range("mon", "25:00", "02:00")));
        refused("'1:00' is not a local time", () -> window("UTC", range("mon", "1:00", "02:00")));
        refused("'24:00' is not a local time", () -> window("UTC", range("mon", "24:00", "02:00")));
        refused("overlap", () -> window("UTC", range("mon", "01:00", "03:00"), range("mon", "02:00", "04:00")));
        // Sunday 23:00 to Monday 01:00 overlaps Monday 00:30: across the week's end.
        refused("overlap", () -> window("UTC", range("sun", "23:00", "01:00"), range("mon", "00:30", "02:00")));
        // Touching ranges are fine.
        window("UTC", range("mon", "01:00", "03:00"), range("mon", "03:00", "04:00"), range("sun", "22:00", "01:00"));
    }

    static void refused(String says, Runnable parse) {
        FlotillaException e = assertThrows(FlotillaException.class, parse::run);
        assertEquals(ErrorCode.INVALID_WINDOW, e.code());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
