package io.stagecoach.platform.environments;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * When an environment takes no promotions, as {@code environments.yaml} declares it under {@code freeze:}: windows
 * that come back every week, and whole days, both read in one time zone. Pure: an instant goes in, and out comes
 * whether a window holds it and when the freeze ends (the end of the last window that touches it, so two windows
 * back to back are one freeze).
 *
 * @param zone   the time zone the windows are read in
 * @param weekly windows that come back every week; one may run over the week's end (Fri 16:00 - Mon 08:00)
 * @param dates  whole days, first and last included
 */
public record FreezeSchedule(ZoneId zone, List<Weekly> weekly, List<Dates> dates) {

    /** The zone of a schedule that names none. */
    public static final ZoneId UTC = ZoneId.of("UTC");
    /** No window: the environment is never frozen by its schedule. */
    public static final FreezeSchedule NONE = new FreezeSchedule(UTC, List.of(), List.of());

    /** Windows chained end to start are followed this far, so a schedule that covers everything still answers. */
    private static final int MAX_CHAINED = 64;

    public FreezeSchedule {
        Objects.requireNonNull(zone, "zone");
        weekly = List.copyOf(weekly);
        dates = List.copyOf(dates);
    }

    /** Whether it declares any window at all. */
    public boolean isEmpty() {
        return weekly.isEmpty() && dates.isEmpty();
    }

    /** A window from one weekday's time to a later one's, wrapping over the week's end when {@code to} comes first. */
    public record Weekly(DayOfWeek fromDay, LocalTime from, DayOfWeek toDay, LocalTime to) {
        public Weekly {
            Objects.requireNonNull(fromDay, "fromDay");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(toDay, "toDay");
            Objects.requireNonNull(to, "to");
        }

        private long start() {
            return secondOfWeek(fromDay, from);
        }

        private long end() {
            return secondOfWeek(toDay, to);
        }

        boolean holds(ZonedDateTime at) {
            long s = secondOfWeek(at.getDayOfWeek(), at.toLocalTime());
            return start() < end() ? s >= start() && s < end() : s >= start() || s < end();
        }

        /** The first end of this window after {@code at}. */
        ZonedDateTime endAfter(ZonedDateTime at) {
            ZonedDateTime end = at.with(TemporalAdjusters.nextOrSame(toDay)).with(to);
            return end.isAfter(at) ? end : end.plusWeeks(1);
        }

        @Override
        public String toString() {
            return day(fromDay) + " " + time(from) + " - " + day(toDay) + " " + time(to);
        }

        private static long secondOfWeek(DayOfWeek day, LocalTime time) {
            return (day.getValue() - 1) * 86_400L + time.toSecondOfDay();
        }
    }

    /** Whole days in the schedule's time zone, {@code first} and {@code last} included. */
    public record Dates(LocalDate first, LocalDate last) {
        public Dates {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(last, "last");
            if (last.isBefore(first)) {
                throw new IllegalArgumentException(last + " comes before " + first);
            }
        }

        boolean holds(ZonedDateTime at) {
            LocalDate day = at.toLocalDate();
            return !day.isBefore(first) && !day.isAfter(last);
        }

        ZonedDateTime end(ZoneId zone) {
            return last.plusDays(1).atStartOfDay(zone);
        }

        @Override
        public String toString() {
            return first.equals(last) ? first.toString() : first + " - " + last;
        }
    }

    /**
     * A freeze in force.
     *
     * @param windows the windows that hold it, as written ({@code weekly Fri 16:00 - Mon 08:00 (Europe/Berlin)})
     * @param until   when it ends
     */
    public record Frozen(List<String> windows, Instant until) {
        public Frozen {
            windows = List.copyOf(windows);
            Objects.requireNonNull(until, "until");
        }

        /** The windows in one line, for a message. */
        public String describe() {
            return String.join(", then ", windows);
        }
    }

    /** The freeze at {@code now}, if a window holds it; its end is the first moment no window holds. */
    public Optional<Frozen> at(Instant now) {
        ZonedDateTime at = now.atZone(zone);
        List<String> windows = new ArrayList<>();
        ZonedDateTime end = null;
        for (int chained = 0; chained < MAX_CHAINED; chained++) {
            ZonedDateTime probe = end == null ? at : end;
            Optional<ZonedDateTime> next = endOfWindowsHolding(probe, windows);
            if (next.isEmpty()) {
                break;
            }
            end = next.get();
        }
        return end == null ? Optional.empty() : Optional.of(new Frozen(windows, end.toInstant()));
    }

    /** The latest end of the windows that hold {@code at}, naming them in {@code windows}; empty when none does. */
    private Optional<ZonedDateTime> endOfWindowsHolding(ZonedDateTime at, List<String> windows) {
        ZonedDateTime latest = null;
        for (Weekly w : weekly) {
            if (w.holds(at)) {
                latest = later(latest, w.endAfter(at));
                name(windows, "weekly " + w);
            }
        }
        for (Dates d : dates) {
            if (d.holds(at)) {
                latest = later(latest, d.end(zone));
                name(windows, (d.first().equals(d.last()) ? "on " : "from ") + d);
            }
        }
        return Optional.ofNullable(latest);
    }

    private void name(List<String> windows, String window) {
        String named = window + " (" + zone.getId() + ")";
        if (!windows.contains(named)) {
            windows.add(named);
        }
    }

    private static ZonedDateTime later(ZonedDateTime a, ZonedDateTime b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    static String day(DayOfWeek day) {
        return day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }

    static String time(LocalTime time) {
        return time.getSecond() == 0 ? time.truncatedTo(ChronoUnit.MINUTES).toString()
                : time.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
