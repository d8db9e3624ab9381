package io.stagecoach.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.stagecoach.ledger.EnvironmentLedger.LineStop;
import io.stagecoach.platform.environments.FreezeSchedule;

/**
 * Whether an environment takes promotions now: its freeze schedule ({@code environments.yaml}) and its operator's
 * stop of the line (the ledger) together (ADR 38). Pure.
 *
 * @param why   what holds it, in words: the schedule's windows, the stop with who and why
 * @param until when it ends; null while the line is stopped without an end (only a restart ends it)
 * @param key   what tells this freeze from another one of the same environment: its end, or the stop's id
 */
public record Freeze(List<String> why, Instant until, String key) {

    public Freeze {
        why = List.copyOf(why);
    }

    /** The freeze at {@code now}, if the schedule or the stop holds it. */
    public static Optional<Freeze> at(FreezeSchedule schedule, Optional<LineStop> stop, Instant now) {
        Optional<FreezeSchedule.Frozen> scheduled = schedule.at(now);
        Optional<LineStop> stopped = stop.filter(s -> s.holdsAt(now));
        if (scheduled.isEmpty() && stopped.isEmpty()) {
            return Optional.empty();
        }
        List<String> why = new ArrayList<>(scheduled.map(FreezeSchedule.Frozen::windows).orElse(List.of()));
        stopped.ifPresent(s -> why.add("the line stopped by " + s.stopped().stoppedBy() + ": " + s.stopped().reason()));
        Instant until = scheduled.map(FreezeSchedule.Frozen::until).orElse(null);
        if (stopped.isPresent()) {
            Instant stopUntil = stopped.get().stopped().until();
            until = stopUntil == null ? null : until == null || stopUntil.isAfter(until) ? stopUntil : until;
        }
        String key = until != null ? until.toString() : "line stopped " + stopped.get().eventId();
        return Optional.of(new Freeze(why, until, key));
    }

    /** The reasons in one line. */
    public String describe() {
        return String.join(", then ", why);
    }

    /** {@code until 2026-12-07T07:00:00Z}, or {@code until an operator restarts the line}. */
    public String end() {
        return until == null ? "until an operator restarts the line" : "until " + until;
    }
}
