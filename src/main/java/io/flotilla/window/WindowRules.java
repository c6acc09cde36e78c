package io.flotilla.window;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a window may hold, checked before anything is stored (400 invalid-window, nothing changed): a known IANA time
 * zone, at least one range, each with days among {@code mon}…{@code sun} (each once) and times {@code HH:MM} or
 * {@code HH:MM:SS} ({@code to} may be {@code 24:00}), never empty ({@code from} = {@code to}), and no two ranges
 * overlapping anywhere in the week (touching is fine).
 */
public final class WindowRules {

    private static final Pattern TIME = Pattern.compile("^([01]\\d|2[0-3]):([0-5]\\d)(?::([0-5]\\d))?$");
    private static final int WEEK = 7 * WeeklyRange.DAY;
    /** More ranges than any contract needs; bounds the overlap check and the stored row. */
    static final int MAX_RANGES = 50;

    private WindowRules() {
    }

    /** One range as a client wrote it. */
    public record RangeText(List<String> days, String from, String to) {
    }

    public static MaintenanceWindow parse(String timeZone, List<RangeText> ranges) {
        ZoneId zone = zone(timeZone);
        if (ranges == null || ranges.isEmpty()) {
            throw invalid("window.ranges must hold at least one range (to remove a window, send removeWindow: true)");
        }
        if (ranges.size() > MAX_RANGES) {
            throw invalid("window.ranges may hold at most " + MAX_RANGES + " ranges");
        }
        List<WeeklyRange> parsed = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            parsed.add(range("window.ranges[" + i + "]", ranges.get(i)));
        }
        overlaps(parsed);
        return new MaintenanceWindow(zone, parsed);
    }

    /**
     * A window as {@link CompanyWindow} stores it ({@code "mon,tue 01:00-05:00"} per range), checked again on the way
     * in: a row written by hand that breaks the rules fails loudly here rather than being misread.
     */
    public static MaintenanceWindow stored(String timeZone, List<String> ranges) {
        List<RangeText> texts = new ArrayList<>();
        for (String range : ranges) {
            String[] parts = range.trim().split(" ");
            String[] times = parts.length == 2 ? parts[1].split("-") : new String[0];
            if (times.length != 2) {
                throw new IllegalStateException("stored window range '" + range + "' is not 'days from-to'");
            }
            texts.add(new RangeText(List.of(parts[0].split(",")), times[0], times[1]));
        }
        return parse(timeZone, texts);
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            throw invalid("window.timeZone is required: an IANA time zone such as \"Europe/Berlin\" or \"UTC\"");
        }
        // Region ids only (and UTC): a fixed offset such as +02:00 would not follow the company's summer time.
        if (!ZoneId.getAvailableZoneIds().contains(timeZone) && !timeZone.equals("UTC")) {
            throw invalid("window.timeZone '" + printable(timeZone) + "' is not a known IANA time zone (such as"
                    + " \"Europe/Berlin\", \"Australia/Sydney\", \"UTC\")");
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw invalid("window.timeZone '" + printable(timeZone) + "' is not a known IANA time zone");
        }
    }

    private static WeeklyRange range(String at, RangeText text) {
        if (text == null) {
            throw invalid(at + " must be an object with days, from and to");
        }
        if (text.days() == null || text.days().isEmpty()) {
            throw invalid(at + ".days must name at least one day (mon, tue, wed, thu, fri, sat, sun)");
        }
        Set<Weekday> days = EnumSet.noneOf(Weekday.class);
        for (String day : text.days()) {
            Weekday d = day == null ? null : Weekday.parse(day);
            if (d == null) {
                throw invalid(at + ".days: '" + printable(String.valueOf(day)) + "' is not one of mon, tue, wed, thu,"
                        + " fri, sat, sun");
            }
            if (!days.add(d)) {
                throw invalid(at + ".days names " + d.value() + " twice");
            }
        }
        int from = time(at + ".from", text.from(), false);
        int to = time(at + ".to", text.to(), true);
        if (from == to) {
            throw invalid(at + " is empty: from and to are both " + WeeklyRange.time(from) + " (a range that"
                    + " crosses midnight ends at a time before its start, e.g. 22:00-02:00; a whole day is 00:00-24:00)");
        }
        return new WeeklyRange(days, from, to);
    }

    private static int time(String at, String text, boolean end) {
        if (text == null) {
            throw invalid(at + " is required: a local time HH:MM or HH:MM:SS");
        }
        if (end && text.equals("24:00")) {
            return WeeklyRange.DAY;
        }
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            throw invalid(at + " '" + printable(text) + "' is not a local time HH:MM or HH:MM:SS (00:00 to 23:59:59"
                    + (end ? ", or 24:00" : "") + ")");
        }
        return Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60
                + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /** Each range's openings as intervals of the week (seconds from Monday 00:00), sorted: neighbours must not overlap. */
    private static void overlaps(List<WeeklyRange> ranges) {
        record Span(int start, int end, WeeklyRange range) {
        }
        List<Span> spans = new ArrayList<>();
        for (WeeklyRange r : ranges) {
            for (Weekday d : r.days()) {
                int start = d.ordinal() * WeeklyRange.DAY + r.from();
                spans.add(new Span(start, start + r.length(), r));
            }
        }
        spans.sort(Comparator.comparingInt(Span::start));
        for (int i = 0; i < spans.size(); i++) {
            Span a = spans.get(i);
            Span b = spans.get((i + 1) % spans.size());
            // The last span is compared with the first one of next week (a Sunday range crossing into Monday).
            int bStart = i + 1 < spans.size() ? b.start() : b.start() + WEEK;
            if (spans.size() > 1 && a.end() > bStart) {
                throw invalid("window ranges overlap: " + a.range() + " and " + b.range());
            }
        }
    }

    private static FlotillaException invalid(String message) {
        return new FlotillaException(ErrorCode.INVALID_WINDOW, message + "; nothing was changed", Map.of());
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
