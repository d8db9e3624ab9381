package io.stagecoach.ledger;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.EventType;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.LedgerCheckpointed;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.Provenance.Refusal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
 * <p>A record counts only when {@link Provenance} says so: its routing key is its type's key and its
 * broker-validated publisher is a producer of that type here. The stream keeps everything routed in the vhost
 * (topic permissions limit keys, not bodies), so anything else — a granted approval under a decision key, a
 * verification from the operator — stays in the audit but changes nothing here, not even the seen ids. Only
 * events that belong to this environment change its state; events addressed to the next environment
 * (hand-offs) are recorded as seen, so a service can tell it already emitted them.
 * Thread-safe: a feed thread applies while listeners query.
 */
public final class EnvironmentLedger {

    /** Ids remembered for idempotency; the oldest are forgotten first (redeliveries come soon, not days later). */
    static final int MAX_SEEN = 200_000;
    /** Verifications kept per service: rollback targets are the newest ones. */
    static final int MAX_VERIFIED = 20;
    /** Holds kept per service; the oldest go first. */
    static final int MAX_HELD = 200;
    /** Ended approval requests remembered, to refuse late decisions with the reason. */
    static final int MAX_DECIDED = 10_000;

    private final String environment;
    private final Provenance provenance;
    private final Set<String> seen = bounded(MAX_SEEN);
    private final Map<String, Deployed> running = new HashMap<>();
    private final Map<String, List<Verified>> verified = new HashMap<>();
    private final Map<String, Set<String>> held = new HashMap<>();
    /** The release of every key in {@link #held}: a key leaves with its hold (see {@link #holdsOf}). */
    private final Map<String, Release> heldReleases = new HashMap<>();
    /** The service of each request id this ledger saw requested or ended, for its checkpoint. */
    private final Map<String, String> servicesOfRequests = boundedMap(MAX_DECIDED);
    private final Map<String, Failure> lastFailure = new HashMap<>();
    private final Map<String, PendingApproval> pending = new LinkedHashMap<>();
    private final Map<String, Decided> decided = boundedMap(MAX_DECIDED);
    private final Map<String, List<Vote>> votes = new HashMap<>();
    /** Per service: the offset of the last record that changed its state, and of its last checkpoint. */
    private final Map<String, Long> changedAt = new HashMap<>();
    private final Map<String, Checkpoint> checkpointed = new HashMap<>();
    private final Map<String, Opened> opened = boundedMap(MAX_DECIDED);
    private long openings;
    private final Map<String, List<Withdrawal>> withdrawals = boundedMap(MAX_DECIDED);
    private final Map<String, Stopped> stopped = new HashMap<>();
    /** The last lift of each release's hold, by release key: a retry after it is a new request (ADR 32). */
    private final Map<String, Lift> lifts = boundedMap(MAX_DECIDED);
    /** Per service, the drift detected and not cleared yet (not kept in snapshots: the next check finds it again). */
    private final Map<String, Drifting> drifts = new HashMap<>();
    /** Per service, the last smoke pass here: a release that must soak is handed off from it later. */
    private final Map<String, Pass> passes = new HashMap<>();
    /** Per service, the last alert that fired for it here: a soak counts from after it. */
    private final Map<String, Alerted> alerts = new HashMap<>();
    /** The operator's stop of the line, until its restart (or its end, which the reader compares with the time). */
    private LineStop lineStop;
    /** Requests parked while the environment was frozen, by request id, until an outcome of theirs is folded. */
    private final Map<String, Parked> parked = boundedMap(MAX_DECIDED);
    private long position = -1;
    private long applied;
    private long refused;

    /**
     * @param provenance the rule records must pass to count, from the environments file whose environment this is
     */
    public EnvironmentLedger(String environment, Provenance provenance) {
        provenance.environments().get(environment);
        this.environment = environment;
        this.provenance = provenance;
    }

    public String environment() {
        return environment;
    }

    /**
     * Folds one audit record into the state, if it counts. Applying an event whose id was already applied changes
     * nothing.
     *
     * @return empty when the record counts (applied now or before), otherwise why it changed nothing
     */
    public synchronized Optional<Refusal> apply(AuditRecord record) {
        advanceTo(record.offset());
        CloudEvent<?> event = record.event();
        Optional<Refusal> refusal = provenance.judge(environment, event.eventType(), event.environment(),
                record.routingKey(), record.publisher());
        if (refusal.isPresent()) {
            refused++;
            return refusal;
        }
        if (!seen.add(event.id())) {
            return Optional.empty();
        }
        applied++;
        if (environment.equals(event.environment())) {
            fold(event, event.data(), event.id(), event.type(), event.time(), record.publisher());
            if (!(event.data() instanceof PromotionFrozen) && event.causationid() != null) {
                // an outcome of a parked request (deployed, failed, blocked) ends its wait
                parked.remove(event.causationid());
            }
            if (event.data() instanceof LedgerCheckpointed c) {
                checkpointed.put(c.service(), new Checkpoint(record.offset(), event.time()));
            } else {
                if (event.data() instanceof HoldReleased r) {
                    lift(r, record.publisher(), event.id(), event.time(), record.offset());
                }
                if (!(event.data() instanceof LineStopped) && !(event.data() instanceof LineRestarted)) {
                    // a stop of the line is about the environment, not a service
                    changedAt.put(event.subject(), record.offset());
                }
            }
        }
        return Optional.empty();
    }

    // Java 17 has no pattern switch: one instanceof chain, one branch per state-changing type
    private void fold(CloudEvent<?> event, Object data, String eventId, String type, Instant at, String publisher) {
        if (data instanceof LedgerCheckpointed c) {
            merge(c);
        } else if (data instanceof DeploymentCompleted d) {
            running.put(d.release().service(), new Deployed(d.release(), d.revision(), eventId, at, d.rollback()));
        } else if (data instanceof SmokeTestPassed p) {
            verify(new Verified(p.release(), eventId, at));
            passes.put(p.release().service(), new Pass(p, eventId, event.source(), at, event.correlationid(),
                    event.causationid()));
        } else if (data instanceof AlertFiring a) {
            alerts.put(a.service(), new Alerted(a, eventId, at));
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
            servicesOfRequests.put(r.requestId(), r.release().service());
            if (!decided.containsKey(r.requestId())) {
                pending.put(r.requestId(), new PendingApproval(r, eventId, at, event.correlationid()));
            }
        } else if (data instanceof ApprovalOpened o) {
            // the first opening counts: its id derives from the request, and only this environment's approval
            // service may publish one (Provenance)
            opened.putIfAbsent(o.requestId(), new Opened(o.requestId(), eventId, at, o.expiresAt(), openings++));
        } else if (data instanceof ApprovalDecided d) {
            if (d.decision() == ApprovalDecided.Decision.APPROVE && !decided.containsKey(d.requestId())) {
                votes.computeIfAbsent(d.requestId(), k -> new ArrayList<>()).add(new Vote(d, publisher, eventId, at));
            }
        } else if (data instanceof ApprovalGranted g) {
            servicesOfRequests.put(g.requestId(), g.release().service());
            decide(g.requestId(), Decided.Outcome.GRANTED, eventId, at);
        } else if (data instanceof ApprovalRejected r) {
            servicesOfRequests.put(r.requestId(), r.release().service());
            decide(r.requestId(), Decided.Outcome.REJECTED, eventId, at);
        } else if (data instanceof ApprovalExpired e && e.reason() == ApprovalExpired.Reason.WITHDRAWN) {
            servicesOfRequests.put(e.requestId(), e.release().service());
            decide(e.requestId(), Decided.Outcome.WITHDRAWN, eventId, at);
        } else if (data instanceof ApprovalExpired e) {
            servicesOfRequests.put(e.requestId(), e.release().service());
            decide(e.requestId(), e.reason() == ApprovalExpired.Reason.SUPERSEDED
                    ? Decided.Outcome.SUPERSEDED : Decided.Outcome.EXPIRED, eventId, at);
        } else if (data instanceof LineStopped stop) {
            lineStop = new LineStop(stop, publisher, eventId, at);
        } else if (data instanceof LineRestarted restart) {
            if (lineStop != null && lineStop.eventId().equals(restart.stoppedId())) {
                lineStop = null;
            }
        } else if (data instanceof PromotionFrozen f) {
            parked.put(f.parked().id(), new Parked(f, eventId, at));
        } else if (data instanceof DriftDetected d) {
            drifts.put(d.service(), new Drifting(d, eventId, at));
        } else if (data instanceof DriftCleared c) {
            Drifting open = drifts.get(c.service());
            if (open != null && open.eventId().equals(c.detectedId())) {
                drifts.remove(c.service());
            }
        } else if (data instanceof ReleaseWithdrawn w) {
            withdrawals.computeIfAbsent(key(w.release()), k -> new ArrayList<>())
                    .add(new Withdrawal(w, publisher, eventId, at));
        }
    }

    /** The hold on the release ends; the lift is kept, for status and for the ids of the requests after it. */
    private void lift(HoldReleased released, String publisher, String eventId, Instant at, long offset) {
        String key = key(released.release());
        Set<String> holds = held.get(released.release().service());
        if (holds != null) {
            holds.remove(key);
        }
        heldReleases.remove(key);
        lifts.put(key, new Lift(released, publisher, eventId, at, offset));
    }

    private void hold(Release release) {
        String key = key(release);
        heldReleases.put(key, release);
        holdsOf(release.service()).add(key);
    }

    /**
     * A checkpoint's hold: it changes nothing when this very release is held already, which is most of them (a
     * checkpoint repeats every hold of its service), so the key set is left alone.
     */
    private void holdFromCheckpoint(Release release, long checkpointPosition) {
        String key = key(release);
        Lift lift = lifts.get(key);
        if (lift != null && lift.offset() > checkpointPosition) {
            // the checkpoint was taken before the hold was lifted
            return;
        }
        if (release.equals(heldReleases.get(key)) && held.getOrDefault(release.service(), Set.of()).contains(key)) {
            return;
        }
        heldReleases.put(key, release);
        holdsOf(release.service()).add(key);
    }

    /**
     * The held keys of a service, the oldest forgotten first; a forgotten hold takes its release along, so every held
     * key has its release however many other services' holds came after it.
     */
    private Set<String> holdsOf(String service) {
        return held.computeIfAbsent(service, s -> Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                if (size() > MAX_HELD) {
                    heldReleases.remove(eldest.getKey());
                    return true;
                }
                return false;
            }
        }));
    }

    private void verify(Verified verification) {
        List<Verified> list = verified.computeIfAbsent(verification.release().service(), s -> new ArrayList<>());
        if (list.stream().anyMatch(v -> v.eventId().equals(verification.eventId()))) {
            return;
        }
        list.add(verification);
        list.sort(Comparator.comparing(Verified::at, Comparator.nullsFirst(Comparator.naturalOrder())));
        while (list.size() > MAX_VERIFIED) {
            list.remove(0);
        }
    }

    private void decide(String requestId, Decided.Outcome outcome, String eventId, Instant at) {
        pending.remove(requestId);
        votes.remove(requestId);
        decided.putIfAbsent(requestId, new Decided(requestId, outcome, eventId, at));
    }

    /**
     * Adds what a checkpoint knows and this ledger does not. The stream drops its oldest records first, so whatever
     * this ledger already knows of the service came from records that are at least as new as the checkpoint's.
     */
    private void merge(LedgerCheckpointed c) {
        if (c.running() != null && !running.containsKey(c.service())) {
            LedgerCheckpointed.Running r = c.running();
            running.put(c.service(), new Deployed(r.release(), r.revision(), r.eventId(), r.at(), r.rollback()));
        }
        c.verified().forEach(v -> verify(new Verified(v.release(), v.eventId(), v.at())));
        c.held().forEach(release -> holdFromCheckpoint(release, c.position()));
        for (LedgerCheckpointed.Withdrawn w : c.withdrawn()) {
            List<Withdrawal> known = withdrawals.computeIfAbsent(key(w.release()), k -> new ArrayList<>());
            if (known.stream().noneMatch(k -> k.eventId().equals(w.eventId()))) {
                known.add(new Withdrawal(new ReleaseWithdrawn(w.release(), environment, w.withdrawnIn(), w.trigger(),
                        w.message()), w.publisher(), w.eventId(), w.at()));
            }
        }
        for (LedgerCheckpointed.Decided d : c.decided()) {
            if (!decided.containsKey(d.requestId())) {
                servicesOfRequests.put(d.requestId(), c.service());
                decide(d.requestId(), Decided.Outcome.valueOf(d.outcome()), d.eventId(), d.at());
            }
        }
    }

    /** What this ledger knows of {@code service}, to be kept past the stream's retention. */
    public synchronized LedgerCheckpointed checkpoint(String service) {
        Deployed deployed = running.get(service);
        LedgerCheckpointed.Running run = deployed == null ? null : new LedgerCheckpointed.Running(deployed.release(),
                deployed.revision(), deployed.eventId(), deployed.at(), deployed.rollback());
        List<LedgerCheckpointed.Verified> verifications = verified.getOrDefault(service, List.of()).stream()
                .map(v -> new LedgerCheckpointed.Verified(v.release(), v.eventId(), v.at())).toList();
        List<Release> holds = held.getOrDefault(service, Set.of()).stream().map(heldReleases::get).toList();
        List<LedgerCheckpointed.Decided> ends = decided.values().stream()
                .filter(d -> service.equals(servicesOfRequests.get(d.requestId())))
                .map(d -> new LedgerCheckpointed.Decided(d.requestId(), d.outcome().name(), d.eventId(), d.at()))
                .toList();
        List<LedgerCheckpointed.Withdrawn> withdrawn = withdrawals.values().stream().flatMap(List::stream)
                .filter(w -> w.withdrawal().release().service().equals(service))
                .map(w -> new LedgerCheckpointed.Withdrawn(w.withdrawal().release(), w.withdrawal().withdrawnIn(),
                        w.withdrawal().trigger(), w.withdrawal().message(), w.publisher(), w.eventId(), w.at()))
                .toList();
        return new LedgerCheckpointed(environment, service, position, run, verifications, holds,
                ends.subList(Math.max(0, ends.size() - 100), ends.size()),
                withdrawn.subList(Math.max(0, withdrawn.size() - 200), withdrawn.size()));
    }

    /**
     * Everything this ledger folded, as of its {@link #position()}: {@link #restore} on a fresh ledger of the same
     * environment and the records after that position give the ledger that read them all. The feed adds what it
     * knows of the record at the position ({@link LedgerSnapshot#recordDigest()}).
     */
    public synchronized LedgerSnapshot snapshot() {
        Map<String, List<Verified>> verifiedCopy = new LinkedHashMap<>();
        verified.forEach((service, list) -> verifiedCopy.put(service, List.copyOf(list)));
        Map<String, List<String>> heldCopy = new LinkedHashMap<>();
        held.forEach((service, keys) -> heldCopy.put(service, List.copyOf(keys)));
        Map<String, List<Vote>> votesCopy = new LinkedHashMap<>();
        votes.forEach((request, list) -> votesCopy.put(request, List.copyOf(list)));
        Map<String, List<Withdrawal>> withdrawalsCopy = new LinkedHashMap<>();
        withdrawals.forEach((release, list) -> withdrawalsCopy.put(release, List.copyOf(list)));
        return new LedgerSnapshot(LedgerSnapshot.FORMAT, environment, position, null, applied, refused, 0,
                List.copyOf(seen), new LinkedHashMap<>(running), verifiedCopy, heldCopy,
                new LinkedHashMap<>(heldReleases), new LinkedHashMap<>(servicesOfRequests),
                new LinkedHashMap<>(lastFailure), new LinkedHashMap<>(pending), new LinkedHashMap<>(decided), votesCopy,
                new LinkedHashMap<>(changedAt), new LinkedHashMap<>(checkpointed), new LinkedHashMap<>(opened),
                openings, withdrawalsCopy, new LinkedHashMap<>(stopped), new LinkedHashMap<>(lifts),
                new LinkedHashMap<>(parked), lineStop, new LinkedHashMap<>(passes), new LinkedHashMap<>(alerts),
                List.of());
    }

    /**
     * Takes the state of {@code snapshot} as this ledger's: the start of a replay from the record after its
     * position instead of the stream's first.
     *
     * @throws IllegalStateException when this ledger already folded something, or the snapshot is another
     *                               environment's or of another format
     */
    public synchronized void restore(LedgerSnapshot snapshot) {
        if (position >= 0 || applied > 0 || refused > 0) {
            throw new IllegalStateException("the ledger of " + environment + " already read up to offset " + position
                    + ": only a fresh ledger starts from a snapshot");
        }
        if (snapshot.format() != LedgerSnapshot.FORMAT || !environment.equals(snapshot.environment())) {
            throw new IllegalStateException("a snapshot of format " + snapshot.format() + " for environment '"
                    + snapshot.environment() + "' is not one for the ledger of " + environment + " (format "
                    + LedgerSnapshot.FORMAT + ")");
        }
        seen.addAll(snapshot.seen());
        running.putAll(snapshot.running());
        snapshot.verified().forEach((service, list) -> verified.put(service, new ArrayList<>(list)));
        heldReleases.putAll(snapshot.heldReleases());
        snapshot.held().forEach((service, keys) -> holdsOf(service).addAll(keys));
        servicesOfRequests.putAll(snapshot.servicesOfRequests());
        lastFailure.putAll(snapshot.lastFailure());
        pending.putAll(snapshot.pending());
        decided.putAll(snapshot.decided());
        snapshot.votes().forEach((request, list) -> votes.put(request, new ArrayList<>(list)));
        changedAt.putAll(snapshot.changedAt());
        checkpointed.putAll(snapshot.checkpointed());
        opened.putAll(snapshot.opened());
        openings = snapshot.openings();
        snapshot.withdrawals().forEach((release, list) -> withdrawals.put(release, new ArrayList<>(list)));
        stopped.putAll(snapshot.stopped());
        lifts.putAll(snapshot.lifts());
        parked.putAll(snapshot.parked());
        lineStop = snapshot.lineStop();
        passes.putAll(snapshot.passes());
        alerts.putAll(snapshot.alerts());
        applied = snapshot.applied();
        refused = snapshot.refused();
        advanceTo(snapshot.position());
    }

    /** The offset of the last record that changed {@code service}'s state here, -1 if none did. */
    public synchronized long changedAt(String service) {
        return changedAt.getOrDefault(service, -1L);
    }

    /** The last checkpoint of {@code service} folded here, if any. */
    public synchronized Optional<Checkpoint> lastCheckpoint(String service) {
        return Optional.ofNullable(checkpointed.get(service));
    }

    /** Where and when a checkpoint was written. */
    public record Checkpoint(long offset, Instant at) {
    }

    private static Set<String> bounded(int max) {
        return java.util.Collections.newSetFromMap(boundedMap(max));
    }

    private static <V> Map<String, V> boundedMap(int max) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
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

    /** How many event ids are remembered now (at most {@link #MAX_SEEN}). */
    public synchronized int seenCount() {
        return seen.size();
    }

    /** The highest stream offset applied so far, -1 before the first. */
    public synchronized long position() {
        return position;
    }

    /** How many distinct events were applied. */
    public synchronized long applied() {
        return applied;
    }

    /** How many records did not count (see {@link Provenance}). */
    public synchronized long refused() {
        return refused;
    }

    public synchronized Optional<Deployed> running(String service) {
        return Optional.ofNullable(running.get(service));
    }

    /** Releases verified here, oldest first. */
    /** The drift detected for {@code service} and not cleared since. */
    /** The last smoke pass of {@code service} here. */
    public synchronized Optional<Pass> lastPass(String service) {
        return Optional.ofNullable(passes.get(service));
    }

    /** The last alert that fired for {@code service} here. */
    public synchronized Optional<Alerted> lastAlert(String service) {
        return Optional.ofNullable(alerts.get(service));
    }

    /** The operator's last stop of the line that no restart ended (it may have ended by its {@code until}). */
    public synchronized Optional<LineStop> lineStop() {
        return Optional.ofNullable(lineStop);
    }

    /** The requests parked while the environment was frozen that no outcome ended yet, oldest first. */
    public synchronized List<Parked> parked() {
        return List.copyOf(parked.values());
    }

    public synchronized Optional<Drifting> drift(String service) {
        return Optional.ofNullable(drifts.get(service));
    }

    /** Every open drift, by service. */
    public synchronized Map<String, Drifting> drifts() {
        return Map.copyOf(drifts);
    }

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

    /** The releases of a service held here, oldest hold first. */
    public synchronized List<Release> held(String service) {
        return held.getOrDefault(service, Set.of()).stream().map(heldReleases::get).toList();
    }

    /** The last lift of this build's hold here, if its hold was ever lifted (it may be held again since). */
    public synchronized Optional<Lift> lastLift(Release release) {
        return Optional.ofNullable(lifts.get(key(release)));
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
     * When this environment's approval service received a request ({@code approval.opened}), if it did yet; what
     * expiry and supersession go by, never the times the request carries.
     */
    public synchronized Optional<Opened> opened(String requestId) {
        return Optional.ofNullable(opened.get(requestId));
    }

    /**
     * Withdrawals of exactly this build from this environment, in order, with their publishers (only the previous
     * environment's rollback service's count: {@link Provenance}).
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

    /**
     * Pending requests for a service, newest first: those not opened yet (just arrived), then the opened ones by
     * when this environment opened them, never by the times the request carries.
     */
    public synchronized List<PendingApproval> pendingFor(String service) {
        List<PendingApproval> list = new ArrayList<>(pending.values().stream()
                .filter(p -> p.request().release().service().equals(service)).toList());
        Collections.reverse(list);
        list.sort(Comparator.comparingLong((PendingApproval p) -> opened.containsKey(p.requestId())
                ? opened.get(p.requestId()).sequence() : Long.MAX_VALUE).reversed());
        return list;
    }

    /** A release running here, the deployment that put it there. */
    public record Deployed(Release release, String revision, String eventId, Instant at, boolean rollback) {
    }

    /**
     * An operator's lift of a hold, with the broker-validated publisher.
     *
     * @param offset where in the stream it was: a checkpoint taken before it does not bring the hold back
     */
    public record Lift(HoldReleased released, String publisher, String eventId, Instant at, long offset) {
    }

    /** A release that passed this environment's smoke tests. */
    /** A drift detected at {@code at} by event {@code eventId}, not cleared yet. */
    /** A {@code smoketest.passed} as it arrived, to be handed off once its release soaked. */
    public record Pass(SmokeTestPassed passed, String eventId, String source, Instant at, String correlationid,
                       String causationid) {
        public CloudEvent<SmokeTestPassed> event() {
            return new CloudEvent<>(CloudEvent.SPEC_VERSION, eventId, source, EventType.SMOKETEST_PASSED.type(),
                    passed.release().service(), at, passed.environment(), correlationid, causationid, passed);
        }
    }

    /** An {@code alert.firing} for a service. */
    public record Alerted(AlertFiring alert, String eventId, Instant at) {
    }

    /** An operator's {@code line.stopped}, with the user that published it. */
    public record LineStop(LineStopped stopped, String publisher, String eventId, Instant at) {
        /** Whether it still holds at {@code now}: until its restart, or its {@code until}. */
        public boolean holdsAt(Instant now) {
            return stopped.until() == null || stopped.until().isAfter(now);
        }
    }

    /** A request parked by {@code promotion.frozen}, waiting for the freeze's end. */
    public record Parked(PromotionFrozen frozen, String eventId, Instant at) {
        public String requestId() {
            return frozen.parked().id();
        }
    }

    public record Drifting(DriftDetected detected, String eventId, Instant at) {
    }

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
    }

    /**
     * A request as this environment's approval service received it. The request's own times (and
     * {@link PendingApproval#requestedAt()}) were written by the requesting environment: for display only.
     *
     * @param at        when it was received (the opening's time)
     * @param expiresAt {@code at} plus this environment's approval TTL
     * @param sequence  the order of opening in this environment: a later opening has a higher one
     */
    public record Opened(String requestId, String eventId, Instant at, Instant expiresAt, long sequence) {
        public boolean expiredAt(Instant now) {
            return !now.isBefore(expiresAt);
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
