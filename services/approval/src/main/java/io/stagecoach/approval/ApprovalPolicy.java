package io.stagecoach.approval;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRefused.Reason;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Decided;
import io.stagecoach.ledger.EnvironmentLedger.Opened;
import io.stagecoach.ledger.EnvironmentLedger.PendingApproval;
import io.stagecoach.ledger.EnvironmentLedger.Vote;
import io.stagecoach.ledger.EnvironmentLedger.Withdrawal;

/**
 * Decides what a decision on an approval request means, and when pending requests end. Pure: everything it
 * knows is passed in, nothing is published here.
 *
 * <p>Time is this environment's own: a request waits from when this service received it ({@code approval.opened},
 * whose time is the receipt and whose {@code expiresAt} adds this environment's approval TTL), and of several
 * requests for one service the one opened last supersedes the others. The {@code requestedAt} and
 * {@code expiresAt} a request carries were written by the requesting environment; they decide nothing here.
 *
 * <p>Every event that ends a request (granted, rejected, expired, superseded), its opening and the promotion a
 * grant asks for get ids derived from the request id, so a replayed decision, a second sweep or a second instance
 * yields the same ids, which the ledger has seen. A refusal's id is derived from the refused decision.
 */
final class ApprovalPolicy {

    /** Used when a rejection comes without a reason (the event requires one). */
    static final String NO_REASON_GIVEN = "no reason given";

    /** A pending request with its opening: what expiry and supersession are judged on. */
    record Waiting(PendingApproval pending, Opened opened) {
    }

    /**
     * This environment's receipt of {@code pending}: received {@code now}, expiring after the environment's approval
     * TTL. Its id is derived from the request id, so a redelivered or replayed request is opened once.
     */
    CloudEvent<ApprovalOpened> opening(PendingApproval pending, ApprovalRules rules, Instant now) {
        Instant receivedAt = now.truncatedTo(ChronoUnit.MILLIS);
        ApprovalRequested request = pending.request();
        ApprovalOpened opened = new ApprovalOpened(request.requestId(), request.release(), rules.environment(),
                receivedAt.plus(rules.approvalTtl()));
        return CloudEvent.of(opened, source(rules), rules.environment(), pending.correlationId(), pending.eventId(),
                openingId(request.requestId(), rules.environment())).withTime(receivedAt);
    }

    /**
     * Judges {@code decision} as published by {@code publisher} (the broker-validated {@code user_id}, null when
     * the message had none) against the gate's {@code rules} and the environment's {@code ledger}, caught up to at
     * least the decision, in which every pending request was opened.
     */
    Verdict decide(CloudEvent<ApprovalDecided> decision, String publisher, ApprovalRules rules,
            EnvironmentLedger ledger, Instant now) {
        ApprovalDecided decided = decision.data();
        Optional<PendingApproval> pending = ledger.pending(decided.requestId());
        Optional<Decided> ended = ledger.decided(decided.requestId());
        String knownRequestId = pending.isPresent() || ended.isPresent() ? decided.requestId() : null;
        Release release = pending.map(p -> p.request().release()).orElse(null);

        Optional<Refusal> refusal = publisherProblem(decision.id(), publisher, rules)
                .or(() -> requestProblem(decided, pending, ended, ledger, now))
                .or(() -> withdrawnProblem(pending.get(), rules, ledger))
                .or(() -> decisionProblem(decided, pending.get().request(), rules))
                .or(() -> signedProblem(decision, pending.get().request(), rules, ledger, now));
        if (refusal.isPresent()) {
            return refused(decision, publisher, rules, knownRequestId, release, refusal.get());
        }
        ApprovalRequested request = pending.get().request();
        Opened opened = openedOf(ledger, request.requestId());
        Duration waited = waited(opened, now);
        if (decided.decision() == ApprovalDecided.Decision.REJECT) {
            String reason = decided.reason() == null || decided.reason().isBlank() ? NO_REASON_GIVEN : decided.reason();
            ApprovalRejected rejected = new ApprovalRejected(request.requestId(), request.release(),
                    rules.environment(), decided.approver(), reason);
            return new Verdict.Rejected(CloudEvent.of(rejected, source(rules), rules.environment(),
                    decision.correlationid(), decision.id(), endingId(request.requestId(), EventType.APPROVAL_REJECTED,
                            rules.environment())), waited);
        }
        List<String> approvers = approvers(decision, request, opened, rules, ledger);
        // an override skips the minimum, but into a frozen environment it takes a second person's override (ADR 38)
        int needed = !decided.override() ? rules.minApprovals()
                : io.stagecoach.ledger.Freeze.at(rules.freeze(), ledger.lineStop(), now).isPresent() ? 2 : 1;
        if (approvers.size() < needed) {
            return new Verdict.VoteRecorded(approvers, needed);
        }
        ApprovalGranted granted = new ApprovalGranted(request.requestId(), request.release(), rules.environment(),
                approvers, waited.toSeconds(), decided.override(), decided.override() ? decided.reason() : null);
        CloudEvent<ApprovalGranted> grant = CloudEvent.of(granted, source(rules), rules.environment(),
                decision.correlationid(), decision.id(),
                endingId(request.requestId(), EventType.APPROVAL_GRANTED, rules.environment()));
        return new Verdict.Granted(grant, promotion(grant, request), waited);
    }

    /**
     * The promotion a grant asks for: APPROVED, or OVERRIDE for an override, resting on the request's
     * verification; its id is derived from the request id.
     */
    CloudEvent<PromotionRequested> promotion(CloudEvent<ApprovalGranted> grant, ApprovalRequested request) {
        ApprovalGranted granted = grant.data();
        PromotionRequested promotion = granted.override()
                ? new PromotionRequested(granted.release(), granted.environment(), PromotionRequested.Reason.OVERRIDE,
                        request.verifiedIn(), granted.approval())
                : PromotionRequested.approved(granted.release(), granted.environment(), request.verifiedIn(),
                        granted.approval());
        return CloudEvent.of(promotion, grant.source(), grant.environment(), grant.correlationid(), grant.id(),
                promotionId(granted.requestId(), granted.environment()));
    }

    /**
     * The requests among {@code waiting} (this environment's, opened, not yet ended) that end now: a request past
     * the {@code expiresAt} of its opening expires; of several for one service, all but the one opened last are
     * superseded by it.
     */
    List<CloudEvent<ApprovalExpired>> endings(List<Waiting> waiting, String environment, Instant now) {
        Map<String, List<Waiting>> byService = new LinkedHashMap<>();
        waiting.forEach(request -> byService.computeIfAbsent(request.pending().request().release().service(),
                service -> new ArrayList<>()).add(request));
        List<CloudEvent<ApprovalExpired>> endings = new ArrayList<>();
        byService.values().forEach(requests -> {
            Waiting newest = requests.stream().max(Comparator.comparingLong(w -> w.opened().sequence()))
                    .orElseThrow();
            for (Waiting request : requests) {
                if (request.opened().expiredAt(now)) {
                    endings.add(ending(request, environment, ApprovalExpired.Reason.EXPIRED, null,
                            request.opened().eventId()));
                } else if (request != newest) {
                    endings.add(ending(request, environment, ApprovalExpired.Reason.SUPERSEDED,
                            newest.pending().request().release().version(), newest.opened().eventId()));
                }
            }
        });
        return endings;
    }

    /**
     * The requests among {@code pending} (this environment's, not yet ended) for a release the previous environment
     * withdrew: they end now, as WITHDRAWN, with its reason. Only a withdrawal published by one of the rules'
     * withdrawers (that environment's rollback service) counts. The ending has the one id every ending of the
     * request has.
     */
    List<CloudEvent<ApprovalExpired>> withdrawals(List<CloudEvent<ApprovalRequested>> pending, ApprovalRules rules,
            EnvironmentLedger ledger) {
        List<CloudEvent<ApprovalExpired>> endings = new ArrayList<>();
        for (CloudEvent<ApprovalRequested> request : pending) {
            ApprovalRequested data = request.data();
            withdrawal(data.release(), rules, ledger).ifPresent(withdrawal -> {
                ApprovalExpired withdrawn = new ApprovalExpired(data.requestId(), data.release(), rules.environment(),
                        ApprovalExpired.Reason.WITHDRAWN, null, withdrawn(withdrawal));
                endings.add(CloudEvent.of(withdrawn, source(rules), rules.environment(), request.correlationid(),
                        withdrawal.eventId(), endingId(data.requestId(), EventType.APPROVAL_EXPIRED,
                                rules.environment())));
            });
        }
        return endings;
    }

    /** The first withdrawal of exactly this build by someone who may withdraw it. */
    private static Optional<Withdrawal> withdrawal(Release release, ApprovalRules rules, EnvironmentLedger ledger) {
        // a record without user_id vouches for nobody
        return ledger.withdrawals(release).stream()
                .filter(w -> w.publisher() != null && rules.withdrawers().contains(w.publisher())).findFirst();
    }

    /** {@code staging withdrew 1.4.3: <why>}, within what an event's text may hold. */
    private static String withdrawn(Withdrawal withdrawal) {
        String text = withdrawal.withdrawal().withdrawnIn() + " withdrew " + withdrawal.withdrawal().release().version()
                + ": " + withdrawal.withdrawal().message();
        return text.length() <= 4000 ? text : text.substring(0, 3999) + "…";
    }

    /** A decision on a pending request for a release the previous environment withdrew comes too late. */
    private static Optional<Refusal> withdrawnProblem(PendingApproval pending, ApprovalRules rules,
            EnvironmentLedger ledger) {
        return withdrawal(pending.request().release(), rules, ledger).map(w -> new Refusal(Reason.WITHDRAWN,
                "request " + pending.requestId() + " can no longer be decided: " + withdrawn(w) + " (event "
                        + w.eventId() + ")"));
    }

    /** The id of the event that grants, rejects or expires a request: one per request, whoever emits it. */
    static String endingId(String requestId, EventType type, String environment) {
        return EventIds.derive(requestId, type.type(), environment);
    }

    /** The id of a request's opening in {@code environment}: one per request, however often it arrives. */
    static String openingId(String requestId, String environment) {
        return EventIds.derive(requestId, EventType.APPROVAL_OPENED.type(), environment);
    }

    /** The id of the promotion a grant of a request asks for. */
    static String promotionId(String requestId, String environment) {
        return EventIds.derive(requestId, EventType.PROMOTION_REQUESTED.type(), environment);
    }

    private CloudEvent<ApprovalExpired> ending(Waiting request, String environment, ApprovalExpired.Reason reason,
            String supersededBy, String causationId) {
        ApprovalRequested data = request.pending().request();
        ApprovalExpired expired = new ApprovalExpired(data.requestId(), data.release(), environment, reason,
                supersededBy);
        // both reasons share one id: a request ends once, however many sweeps or instances notice
        return CloudEvent.of(expired, "/stagecoach/" + environment + "/approval", environment,
                request.pending().correlationId(), causationId,
                endingId(data.requestId(), EventType.APPROVAL_EXPIRED, environment));
    }

    /** Who may publish decisions: checked before anything else, so a forged decision learns nothing more. */
    private static Optional<Refusal> publisherProblem(String decisionId, String publisher, ApprovalRules rules) {
        if (publisher == null || publisher.isBlank()) {
            return Optional.of(new Refusal(Reason.MISSING_USER_ID, "decision " + decisionId
                    + " carries no user_id, so its publisher is unknown; decisions must be published with user_id set"));
        }
        if (!rules.decisionPublishers().contains(publisher)) {
            return Optional.of(new Refusal(Reason.UNTRUSTED_PUBLISHER, "decision " + decisionId
                    + " was published by '" + publisher + "', which may not publish decisions for environment '"
                    + rules.environment() + "' (decision publishers: " + rules.decisionPublishers() + ")"));
        }
        return Optional.empty();
    }

    private static Optional<Refusal> requestProblem(ApprovalDecided decided, Optional<PendingApproval> pending,
            Optional<Decided> ended, EnvironmentLedger ledger, Instant now) {
        String requestId = decided.requestId();
        if (ended.isPresent()) {
            Decided end = ended.get();
            return Optional.of(switch (end.outcome()) {
                case GRANTED, REJECTED -> new Refusal(Reason.ALREADY_DECIDED, "request " + requestId + " was already "
                        + end.outcome().name().toLowerCase(Locale.ROOT) + " (event " + end.eventId() + ")");
                case SUPERSEDED -> new Refusal(Reason.SUPERSEDED, "request " + requestId
                        + " was superseded by a newer release (event " + end.eventId() + ")");
                case EXPIRED -> new Refusal(Reason.EXPIRED, "request " + requestId + " expired (event "
                        + end.eventId() + ")");
                case WITHDRAWN -> new Refusal(Reason.WITHDRAWN, "request " + requestId + " ended: the previous "
                        + "environment withdrew the release (event " + end.eventId() + ")");
            });
        }
        if (pending.isEmpty()) {
            return Optional.of(new Refusal(Reason.UNKNOWN_REQUEST, "no approval request " + requestId
                    + " was ever made in this environment"));
        }
        Opened opened = openedOf(ledger, requestId);
        if (opened.expiredAt(now)) {
            return Optional.of(new Refusal(Reason.EXPIRED, "request " + requestId + " expired at "
                    + opened.expiresAt() + " (opened here at " + opened.at() + ")"));
        }
        // a newer request opened but not yet ended the older one (the sweep will): the older one is over already
        String service = pending.get().request().release().service();
        Optional<PendingApproval> newer = ledger.pendingFor(service).stream()
                .filter(other -> ledger.opened(other.requestId())
                        .filter(o -> o.sequence() > opened.sequence()).isPresent())
                .findFirst();
        if (newer.isPresent()) {
            return Optional.of(new Refusal(Reason.SUPERSEDED, "request " + requestId + " was superseded by request "
                    + newer.get().requestId() + " for " + service + " " + newer.get().request().release().version()
                    + ", opened after it"));
        }
        return Optional.empty();
    }

    /** The opening of a pending request; the gate opens every pending request before a decision is judged. */
    private static Opened openedOf(EnvironmentLedger ledger, String requestId) {
        return ledger.opened(requestId).orElseThrow(() -> new IllegalStateException("request " + requestId
                + " is pending but was not opened; open it before judging a decision on it"));
    }

    /** The rules a decision on a pending request must keep; earlier votes are judged by them too. */
    private static Optional<Refusal> decisionProblem(ApprovalDecided decided, ApprovalRequested request,
            ApprovalRules rules) {
        Release release = request.release();
        if (!decided.names(release) || !decided.environment().equals(rules.environment())) {
            return Optional.of(new Refusal(Reason.DIGEST_MISMATCH, "the decision names " + decided.service() + " "
                    + decided.version() + " (" + decided.digest() + ") in '" + decided.environment() + "' but request "
                    + request.requestId() + " is for " + release.service() + " " + release.version() + " ("
                    + release.digest() + ") in '" + rules.environment() + "'"));
        }
        if (!rules.approvers().contains(decided.approver())) {
            return Optional.of(new Refusal(Reason.NOT_AN_APPROVER, "'" + decided.approver()
                    + "' is not an approver of environment '" + rules.environment() + "'"));
        }
        // case-insensitive on purpose: "Jane" must not approve jane's release
        if (decided.approver().equalsIgnoreCase(release.author())) {
            return Optional.of(new Refusal(Reason.SELF_APPROVAL, "'" + decided.approver() + "' authored "
                    + release.service() + " " + release.version() + " and may not decide on it"));
        }
        if (decided.override() && (decided.reason() == null || decided.reason().isBlank())) {
            return Optional.of(new Refusal(Reason.OVERRIDE_WITHOUT_REASON, "'" + decided.approver()
                    + "' asked for an override without a reason; an override must say why"));
        }
        return Optional.empty();
    }

    /** Distinct people whose approvals count, in the order of their first counted decision. */
    private static List<String> approvers(CloudEvent<ApprovalDecided> decision, ApprovalRequested request,
            Opened opened, ApprovalRules rules, EnvironmentLedger ledger) {
        Set<String> approvers = new LinkedHashSet<>();
        for (Vote vote : ledger.votes(request.requestId())) {
            boolean counts = !vote.eventId().equals(decision.id())
                    && (vote.at() == null || vote.at().isBefore(opened.expiresAt()))
                    && publisherProblem(vote.eventId(), vote.publisher(), rules).isEmpty()
                    && decisionProblem(vote.decision(), request, rules).isEmpty()
                    // a vote counts only as its person's click, when the environment verifies people
                    && (rules.signed() == null || rules.signed().problem(voteEvent(vote, decision), request.release(),
                            java.util.List.of(), vote.at() == null ? decision.time() : vote.at()).isEmpty());
            if (counts) {
                approvers.add(vote.decision().approver());
            }
        }
        approvers.add(decision.data().approver());
        return List.copyOf(approvers);
    }

    /**
     * Where the environment verifies people: the decision must be its person's signed click, not one already
     * counted for the request (the same click sent again).
     */
    private static Optional<Refusal> signedProblem(CloudEvent<ApprovalDecided> decision, ApprovalRequested request,
            ApprovalRules rules, EnvironmentLedger ledger, Instant now) {
        if (rules.signed() == null) {
            return Optional.empty();
        }
        // only a click that counted is spent: a forged copy refused before it does not spend the person's click
        List<String> counted = ledger.votes(request.requestId()).stream()
                .filter(vote -> !vote.eventId().equals(decision.id()))
                .filter(vote -> rules.signed().problem(voteEvent(vote, decision), request.release(), List.of(),
                        vote.at() == null ? now : vote.at()).isEmpty())
                .map(vote -> SignedDecisions.clickOf(vote.decision())).filter(java.util.Objects::nonNull).toList();
        return rules.signed().problem(decision, request.release(), counted, now);
    }

    /** An earlier vote as the event it was, for its signed click to be judged as at its own time. */
    private static CloudEvent<ApprovalDecided> voteEvent(Vote vote, CloudEvent<ApprovalDecided> decision) {
        return new CloudEvent<>(decision.specversion(), vote.eventId(), decision.source(), decision.type(),
                decision.subject(), vote.at(), decision.environment(), decision.correlationid(),
                decision.causationid(), vote.decision());
    }

    private static Verdict refused(CloudEvent<ApprovalDecided> decision, String publisher, ApprovalRules rules,
            String requestId, Release release, Refusal refusal) {
        ApprovalDecided decided = decision.data();
        ApprovalRefused refused = new ApprovalRefused(requestId, decided.service(), release, rules.environment(),
                decided.approver(), publisher == null || publisher.isBlank() ? null : publisher, refusal.reason(),
                refusal.message());
        return new Verdict.Refused(refusal.reason(),
                CloudEvent.causedBy(decision, refused, source(rules), rules.environment()));
    }

    private static Duration waited(Opened opened, Instant now) {
        Duration waited = Duration.between(opened.at(), now);
        return waited.isNegative() ? Duration.ZERO : waited;
    }

    private static String source(ApprovalRules rules) {
        return "/stagecoach/" + rules.environment() + "/approval";
    }

    record Refusal(Reason reason, String message) {
    }
}
