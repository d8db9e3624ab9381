package io.stagecoach.local;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;

/**
 * What an environment's ledger says about some services, as facts an operator would read in {@code status} and the
 * services decide on: what runs, what is verified, what is held, the last failure, pending and ended approvals, and
 * the votes on them, and an open drift. Each fact names the event it rests on, so a change says which record made it.
 */
record LedgerState(Map<String, String> facts) {

    private static final String NONE = "none";

    /**
     * The facts about {@code services} and the approval requests {@code requestIds}; {@code releases} are the
     * releases whose hold is asked for.
     */
    static LedgerState of(EnvironmentLedger ledger, Collection<String> services, Collection<Release> releases,
                          Collection<String> requestIds) {
        Map<String, String> facts = new TreeMap<>();
        for (String service : services) {
            facts.put(service + " runs", ledger.running(service)
                    .map(d -> release(d.release()) + (d.rollback() ? " (rollback)" : "") + " by " + d.eventId())
                    .orElse(NONE));
            facts.put(service + " verified", list(ledger.verified(service).stream()
                    .map(v -> release(v.release()) + " by " + v.eventId()).toList()));
            facts.put(service + " last failure", ledger.lastFailure(service)
                    .map(f -> f.type() + " of " + (f.release() == null ? "?" : release(f.release())) + " by "
                            + f.eventId())
                    .orElse(NONE));
            facts.put(service + " drift", ledger.drift(service)
                    .map(d -> "detected by " + d.eventId()).orElse(NONE));
            facts.put(service + " parked", list(ledger.parked().stream()
                    .filter(p -> p.frozen().release().service().equals(service))
                    .map(p -> release(p.frozen().release()) + " by " + p.eventId()).toList()));
            facts.put(service + " pending approvals", list(ledger.pendingFor(service).stream()
                    .map(p -> p.requestId() + " for " + release(p.request().release()) + " by " + p.eventId())
                    .toList()));
        }
        facts.put("line", ledger.lineStop().map(l -> "stopped by " + l.eventId()).orElse(NONE));
        for (Release release : releases) {
            facts.put(release(release) + " held", String.valueOf(ledger.isHeld(release)));
        }
        for (String requestId : requestIds) {
            facts.put("request " + requestId + " ended", ledger.decided(requestId)
                    .map(d -> d.outcome() + " by " + d.eventId()).orElse(NONE));
            facts.put("request " + requestId + " votes", list(ledger.votes(requestId).stream()
                    .map(v -> v.decision().approver() + " via " + v.publisher() + " by " + v.eventId()).toList()));
        }
        return new LedgerState(Map.copyOf(facts));
    }

    /** What differs in {@code after}, one line per fact: {@code fact: before -> after}. */
    List<String> changesTo(LedgerState after) {
        List<String> changes = new ArrayList<>();
        for (String fact : new TreeSet<>(union(facts.keySet(), after.facts.keySet()))) {
            String before = facts.getOrDefault(fact, NONE);
            String now = after.facts.getOrDefault(fact, NONE);
            if (!Objects.equals(before, now)) {
                changes.add(fact + ": " + before + " -> " + now);
            }
        }
        return changes;
    }

    private static TreeSet<String> union(Collection<String> a, Collection<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String release(Release release) {
        return release.service() + " " + release.version() + " (" + release.digest().substring(7, 15) + ")";
    }

    private static String list(List<String> items) {
        return items.isEmpty() ? NONE : items.stream().collect(Collectors.joining(", ", "[", "]"));
    }
}
