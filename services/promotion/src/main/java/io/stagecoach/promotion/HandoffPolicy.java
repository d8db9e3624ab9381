package io.stagecoach.promotion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

/**
 * Decides where a release goes after it passed this environment's smoke tests. Pure: the pass, the environment
 * path, this environment's ledger and the time go in; a decision comes out. A hand-off is addressed to the
 * next environment (its name in the event and routing key) and published here; the shovel carries it over.
 */
final class HandoffPolicy {

    /** The events a smoke pass can lead to; if the ledger saw one for the next environment, it was handed off. */
    static final List<EventType> OUTCOMES = List.of(EventType.PROMOTION_REQUESTED, EventType.APPROVAL_REQUESTED);

    private final Environments environments;
    private final Environment environment;
    private final String source;

    HandoffPolicy(Environments environments, Environment environment) {
        this.environments = environments;
        this.environment = environment;
        this.source = "/stagecoach/" + environment.name() + "/promotion";
    }

    /** The next environment, if any. */
    Optional<Environment> next() {
        return environments.next(environment.name());
    }

    /** The ids the hand-offs of {@code passed} get, whichever the next gate is, and the id of its stop here. */
    List<String> outcomeIds(CloudEvent<?> passed) {
        List<String> ids = new ArrayList<>(next().map(n -> OUTCOMES.stream()
                .map(t -> EventIds.derive(passed.id(), t.type(), n.name())).toList()).orElse(List.of()));
        ids.add(EventIds.derive(passed.id(), EventType.PROMOTION_BLOCKED.type(), environment.name()));
        return ids;
    }

    /** The id of the approval request a smoke pass opens in {@code next}. */
    static String approvalRequestId(CloudEvent<SmokeTestPassed> passed, Environment next) {
        return EventIds.derive(passed.id(), "approval-request", next.name());
    }

    HandoffDecision decide(CloudEvent<SmokeTestPassed> passed, LedgerView ledger, Instant now) {
        Release release = passed.data().release();
        Optional<Release> running = ledger.running(release.service());
        if (ledger.isHeld(release)) {
            return stopped(passed, PromotionBlocked.Reason.HELD, release.version() + " of " + release.service()
                    + " passed its smoke tests in " + environment.name() + " but was rolled back there; it goes no"
                    + " further", running.map(Release::version).orElse(null), null);
        }
        if (running.isEmpty()) {
            return new HandoffDecision.Ignored(release.version() + " of " + release.service() + " passed in "
                    + environment.name() + " but nothing of it runs there");
        }
        if (!running.get().sameBuildAs(release)) {
            String newer = running.get().version();
            return stopped(passed, PromotionBlocked.Reason.SUPERSEDED, release.version() + " of " + release.service()
                    + " passed its smoke tests in " + environment.name() + " but " + newer
                    + " replaced it there; it goes no further", newer, newer);
        }
        Optional<Environment> next = next();
        Optional<Instant> soakedAt = next.isEmpty() ? Optional.empty() : soakedAt(release, ledger);
        if (soakedAt.isPresent() && now.isBefore(soakedAt.get())) {
            return new HandoffDecision.Soaking(soakedAt.get(), release.version() + " of " + release.service()
                    + " passed in " + environment.name() + " and soaks there until " + soakedAt.get() + " ("
                    + environment.soak().toMinutes() + " min without an alert) before it moves on to "
                    + next.get().name());
        }
        if (next.isEmpty()) {
            return new HandoffDecision.End(release.version() + " of " + release.service() + " reached " + environment.name()
                    + ", the last environment");
        }
        Environment n = next.get();
        Verification verifiedIn = passed.data().verification(passed.id());
        if (n.isManual()) {
            var request = new ApprovalRequested(approvalRequestId(passed, n), release, n.name(), n.approvers(),
                    n.minApprovals(), now, now.plus(n.approvalTtl()), verifiedIn);
            return new HandoffDecision.RequestApproval(CloudEvent.causedBy(passed, request, source, n.name()));
        }
        return new HandoffDecision.Promote(CloudEvent.causedBy(passed, PromotionRequested.verified(release, n.name(),
                verifiedIn), source, n.name()));
    }

    /**
     * When the release that runs here has soaked, if this environment asks for a soak: its time here, counted from its
     * deployment or from the last alert for its service after it, whichever came later (ADR 39).
     */
    Optional<Instant> soakedAt(Release release, LedgerView ledger) {
        if (environment.soak().isZero()) {
            return Optional.empty();
        }
        Optional<Instant> deployed = ledger.runningSince(release.service());
        if (deployed.isEmpty()) {
            return Optional.empty();
        }
        Instant since = ledger.lastAlertAt(release.service()).filter(a -> a.isAfter(deployed.get()))
                .orElse(deployed.get());
        return Optional.of(since.plus(environment.soak()));
    }

    private HandoffDecision.Stopped stopped(CloudEvent<SmokeTestPassed> passed, PromotionBlocked.Reason reason,
                                    String message, String runningVersion, String supersededBy) {
        var data = new PromotionBlocked(passed.data().release(), environment.name(), reason, message,
                SemanticVersion.isStrict(runningVersion) ? runningVersion : null, supersededBy);
        return new HandoffDecision.Stopped(CloudEvent.causedBy(passed, data, source, environment.name()));
    }
}
