package io.stagecoach.ledger;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One environment's state, folded from its audit stream in stream order: which release runs, which were
 * verified, which are held back, which approvals wait, and which event ids were already seen.
 *
 * <p>Only events that belong to this environment change its state; events addressed to the next
 * environment (hand-offs) are recorded as seen, so a service can tell it already emitted them. Producers
 * are trusted by construction: the broker's topic permissions admit each routing key from one user only.
 * Thread-safe: a feed thread applies while listeners query.
 */
public final class EnvironmentLedger {

    private final String environment;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Deployed> running = new HashMap<>();
    private final Map<String, List<Verified>> verified = new HashMap<>();
    private final Map<String, Set<String>> held = new HashMap<>();
    private final Map<String, Failure> lastFailure = new HashMap<>();
    private final Map<String, PendingApproval> pending = new LinkedHashMap<>();
    private final Map<String, Decided> decided = new HashMap<>();
    private final Map<String, List<Vote>> votes = new HashMap<>();
    private final Map<String, List<Withdrawal>> withdrawals = new HashMap<>();
    private final Map<String, Stopped> stopped = new HashMap<>();
    private long position = -1;
    private long applied;

    public EnvironmentLedger(String environment) {
        this.environment = environment;
    }

    public String environment() {
        return environment;
    }

    /**
     * Folds one audit record into the state. Applying an event whose id was already applied changes nothing.
     *
     * @param publisher the broker-validated {@code user_id} of the message, or null when it had none
     * @param offset    the record's stream offset, or -1 when it did not come from the stream
     */
    public synchronized void apply(CloudEvent<?> event, String publisher, long offset) {
        advanceTo(offset);
        if (!seen.add(event.id())) {
            return;
        }
        applied++;
        if (!environment.equals(event.environment())) {
            return;
        }
        fold(event, event.data(), event.id(), event.type(), event.time(), publisher);
    }

    // Java 17 has no pattern switch: one instanceof chain, one branch per state-changing type
    private void fold(CloudEvent<?> event, Object data, String eventId, String type, Instant at, String publisher) {
        if (data instanceof DeploymentCompleted d) {
            running.put(d.release().service(), new Deployed(d.release(), d.revision(), eventId, at, d.rollback()));
        } else if (data instanceof SmokeTestPassed p) {
            verified.computeIfAbsent(p.release().service(), s -> new ArrayList<>())
                    .add(new Verified(p.release(), eventId, at));
        } else if (data instanceof SmokeTestFailed f) {
            lastFailure.put(f.release().service(), new Failure(f.release(), type, f.summary(), eventId, at));
        } else if (data instanceof DeploymentFailed f) {
            lastFailure.put(f.release().service(), new Failure(f.release(), type, f.error(), eventId, at));
        } else if (data instanceof PromotionBlocked b && Stopped.REASONS.contains(b.reason())) {
            stopped.put(b.release().service(), new Stopped(b, eventId, at));
        } else if (data instanceof PromotionBlocked b) {
            lastFailure.put(b.release().service(), new Failure(b.release(), type, b.message(), eventId, at));
        } else if (data instanceof RollbackCompleted r) {
            if (r.from() != null) {
                hold(r.from());
            }
            running.put(r.service(), new Deployed(r.to(), r.revision(), eventId, at, true));
        } else if (data instanceof RollbackFailed r) {
            if (r.from() != null) {
                hold(r.from());
            }
            lastFailure.put(r.service(), new Failure(r.from(), type, r.reason(), eventId, at));
        } else if (data instanceof ApprovalRequested r) {
            pending.put(r.requestId(), new PendingApproval(r, eventId, at, event.correlationid()));
        } else if (data instanceof ApprovalDecided d) {
            if (d.decision() == ApprovalDecided.Decision.APPROVE) {
                votes.computeIfAbsent(d.requestId(), k -> new ArrayList<>()).add(new Vote(d, publisher, eventId, at));
            }
        } else if (data instanceof ApprovalGranted g) {
            decide(g.requestId(), Decided.Outcome.GRANTED, eventId, at);
        } else if (data instanceof ApprovalRejected r) {
            decide(r.requestId(), Decided.Outcome.REJECTED, eventId, at);
        } else if (data instanceof ApprovalExpired e && e.reason() == ApprovalExpired.Reason.WITHDRAWN) {
            decide(e.requestId(), Decided.Outcome.WITHDRAWN, eventId, at);
        } else if (data instanceof ApprovalExpired e) {
            decide(e.requestId(), e.reason() == ApprovalExpired.Reason.SUPERSEDED
                    ? Decided.Outcome.SUPERSEDED : Decided.Outcome.EXPIRED, eventId, at);
        } else if (data instanceof ReleaseWithdrawn w) {
            withdrawals.computeIfAbsent(key(w.release()), k -> new ArrayList<>())
                    .add(new Withdrawal(w, publisher, eventId, at));
        }
    }

    private void hold(Release release) {
        held.computeIfAbsent(release.service(), s -> new HashSet<>()).add(key(release));
    }

    private void decide(String requestId, Decided.Outcome outcome, String eventId, Instant at) {
        pending.remove(requestId);
        decided.putIfAbsent(requestId, new Decided(requestId, outcome, eventId, at));
    }

    private static String key(Release release) {
        return release.service() + "|" + release.version() + "|" + release.digest();
    }

    /** Moves the position past a record that changes no state (one that was not a valid event). */
    public synchronized void advanceTo(long offset) {
        if (offset > position) {
            position = offset;
            notifyAll();
        }
    }

    /** Waits up to {@code wait} for the position to reach {@code offset}; true when it did. */
    public synchronized boolean awaitPosition(long offset, java.time.Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (position < offset) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whether an event with this id was applied (in any environment's name). */
    public synchronized boolean seen(String eventId) {
        return seen.contains(eventId);
    }

    /** The highest stream offset applied so far, -1 before the first. */
    public synchronized long position() {
        return position;
    }

    /** How many distinct events were applied. */
    public synchronized long applied() {
        return applied;
    }

    public synchronized Optional<Deployed> running(String service) {
        return Optional.ofNullable(running.get(service));
    }

    /** Releases verified here, oldest first. */
    public synchronized List<Verified> verified(String service) {
        return List.copyOf(verified.getOrDefault(service, List.of()));
    }

    public synchronized boolean isVerified(Release release) {
        return verified.getOrDefault(release.service(), List.of()).stream()
                .anyMatch(v -> v.release().sameBuildAs(release));
    }

    public synchronized boolean isHeld(Release release) {
        return held.getOrDefault(release.service(), Set.of()).contains(key(release));
    }

    /** The newest verified release that is not held and is not {@code excluding}: the rollback target. */
    public synchronized Optional<Verified> lastVerified(String service, Release excluding) {
        List<Verified> list = verified.getOrDefault(service, List.of());
        for (int i = list.size() - 1; i >= 0; i--) {
            Verified v = list.get(i);
            if (isHeld(v.release()) || (excluding != null && v.release().sameBuildAs(excluding))) {
                continue;
            }
            return Optional.of(v);
        }
        return Optional.empty();
    }

    /** The verification of a given version of a service here, newest first, if any. */
    public synchronized Optional<Verified> verifiedVersion(String service, String version) {
        List<Verified> list = verified.getOrDefault(service, List.of());
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).release().version().equals(version)) {
                return Optional.of(list.get(i));
            }
        }
        return Optional.empty();
    }

    public synchronized Optional<Failure> lastFailure(String service) {
        return Optional.ofNullable(lastFailure.get(service));
    }

    /** Approvals requested here and not yet granted, rejected, expired or superseded, oldest first. */
    public synchronized List<PendingApproval> pendingApprovals() {
        return List.copyOf(pending.values());
    }

    public synchronized Optional<PendingApproval> pending(String requestId) {
        return Optional.ofNullable(pending.get(requestId));
    }

    public synchronized Optional<Decided> decided(String requestId) {
        return Optional.ofNullable(decided.get(requestId));
    }

    /**
     * Withdrawals of exactly this build from this environment, in order, with their publishers (not yet judged:
     * only the previous environment's rollback service may withdraw).
     */
    public synchronized List<Withdrawal> withdrawals(Release release) {
        return List.copyOf(withdrawals.getOrDefault(key(release), List.of()));
    }

    /** The last release of a service that went no further here without failing: superseded or withdrawn. */
    public synchronized Optional<Stopped> lastStopped(String service) {
        return Optional.ofNullable(stopped.get(service));
    }

    /** Approve decisions seen for a request, in order, with their publishers (not yet judged). */
    public synchronized List<Vote> votes(String requestId) {
        return List.copyOf(votes.getOrDefault(requestId, List.of()));
    }

    /** Every service this environment has state for. */
    public synchronized Set<String> services() {
        Set<String> all = new TreeSet<>();
        all.addAll(running.keySet());
        all.addAll(verified.keySet());
        all.addAll(lastFailure.keySet());
        all.addAll(stopped.keySet());
        pending.values().forEach(p -> all.add(p.request().release().service()));
        return all;
    }

    /** Pending requests for a service, newest first. */
    public synchronized List<PendingApproval> pendingFor(String service) {
        List<PendingApproval> list = new ArrayList<>(pending.values().stream()
                .filter(p -> p.request().release().service().equals(service)).toList());
        list.sort(Comparator.comparing(PendingApproval::requestedAt).reversed());
        return list;
    }

    /** A release running here, the deployment that put it there. */
    public record Deployed(Release release, String revision, String eventId, Instant at, boolean rollback) {
    }

    /** A release that passed this environment's smoke tests. */
    public record Verified(Release release, String eventId, Instant at) {
    }

    /** The last thing that went wrong for a service here. */
    public record Failure(Release release, String type, String detail, String eventId, Instant at) {
    }

    /** An approval that waits for a decision. */
    public record PendingApproval(ApprovalRequested request, String eventId, Instant requestedAt, String correlationId) {
        public String requestId() {
            return request.requestId();
        }

        public boolean expiredAt(Instant now) {
            return request.expiresAt() != null && !now.isBefore(request.expiresAt());
        }
    }

    /** How an approval request ended. */
    public record Decided(String requestId, Outcome outcome, String eventId, Instant at) {
        public enum Outcome { GRANTED, REJECTED, EXPIRED, SUPERSEDED, WITHDRAWN }
    }

    /** An approve decision as published, with the broker-validated publisher. */
    public record Vote(ApprovalDecided decision, String publisher, String eventId, Instant at) {
    }

    /** A withdrawal as published, with the broker-validated publisher. */
    public record Withdrawal(ReleaseWithdrawn withdrawal, String publisher, String eventId, Instant at) {
    }

    /** A release that went no further here, though nothing failed: a newer one replaced it, or it was withdrawn. */
    public record Stopped(PromotionBlocked blocked, String eventId, Instant at) {

        static final Set<PromotionBlocked.Reason> REASONS = Set.of(PromotionBlocked.Reason.SUPERSEDED,
                PromotionBlocked.Reason.WITHDRAWN);
    }

}
