package io.flotilla.window;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * One weekly range of a window: on each of {@code days} it opens at {@code from} and closes at {@code to} (local
 * times of the window's zone). A {@code to} at or before {@code from} closes on the next day (the range crosses
 * midnight); {@code days} are the days it opens on.
 *
 * @param from seconds after midnight, 0 to 86399
 * @param to   seconds after midnight, 0 to 86400 (24:00), never equal to {@code from}
 */
public record WeeklyRange(Set<Weekday> days, int from, int to) {

    public static final int DAY = 86_400;

    public WeeklyRange {
        days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    }

    /** How long it is open, in seconds (wall-clock; a DST change that day makes the real span an hour longer or shorter). */
    public int length() {
        return to > from ? to - from : DAY - from + to;
    }

    boolean opensOn(DayOfWeek day) {
        return days.contains(Weekday.of(day));
    }

    /** Its opening on {@code date} in {@code zone} (a time in a DST gap moves forward, as {@link ZonedDateTime#of} does). */
    ZonedDateTime opening(LocalDate date, ZoneId zone) {
        return ZonedDateTime.of(date, LocalTime.ofSecondOfDay(from), zone);
    }

    /** Its closing for the opening on {@code date}. */
    ZonedDateTime closing(LocalDate date, ZoneId zone) {
        LocalDate closeDate = to > from ? date : date.plusDays(1);
        return to == DAY ? ZonedDateTime.of(date.plusDays(1), LocalTime.MIDNIGHT, zone)
                : ZonedDateTime.of(closeDate, LocalTime.ofSecondOfDay(to), zone);
    }

    public String fromText() {
        return time(from);
    }

    public String toText() {
        return time(to);
    }

    /** As clients write it: {@code 01:00}, with seconds only when it has some, {@code 24:00} for the day's end. */
    static String time(int seconds) {
        if (seconds == DAY) {
            return "24:00";
        }
        LocalTime t = LocalTime.ofSecondOfDay(seconds);
        return t.getSecond() == 0 ? String.format("%02d:%02d", t.getHour(), t.getMinute())
                : String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
    }

    @Override
    public String toString() {
        return days.stream().sorted().map(Weekday::value).reduce((a, b) -> a + "," + b).orElse("") + " "
                + time(from) + "-" + time(to);
    }
}
