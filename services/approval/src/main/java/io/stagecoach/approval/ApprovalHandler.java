package io.stagecoach.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Decided;
import io.stagecoach.ledger.EnvironmentLedger.PendingApproval;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval service's work: wait until the ledger read what the work is about, ask {@link ApprovalPolicy}, publish what it says unless the
 * ledger has seen it already (a redelivery or another instance did the work), count it. The audit stream is the
 * only store: nothing here survives a restart, nothing needs to.
 */
final class ApprovalHandler {

    private static final Logger log = LoggerFactory.getLogger(ApprovalHandler.class);

    private final ApprovalPolicy policy;
    private final ApprovalRules rules;
    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final ApprovalRecords records;
    private final EventPublisher publisher;
    private final ApprovalMetrics metrics;
    private final ApprovalProperties properties;
    private final Clock clock;
    /** One decision, request or sweep at a time in this process, so a grant and an expiry do not cross. */
    private final Object lock = new Object();
    /** The last event this process published (under {@code lock}): a sweep waits until the ledger read it. */
    private CloudEvent<?> lastPublished;

    ApprovalHandler(ApprovalPolicy policy, ApprovalRules rules, LedgerFeed feed, ApprovalRecords records,
            EventPublisher publisher, ApprovalMetrics metrics, ApprovalProperties properties, Clock clock) {
        this.policy = policy;
        this.rules = rules;
        this.feed = feed;
        this.ledger = feed.ledger();
        this.records = records;
        this.publisher = publisher;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * A new request is in the ledger already (the stream keeps it): this environment opens it, by its own clock,
     * and it may supersede older ones.
     */
    void requested(CloudEvent<ApprovalRequested> request) throws Exception {
        synchronized (lock) {
            feed.awaitEvent(request, properties.catchUpTimeout());
            openArrived();
            endWithdrawn(Optional.of(request));
            endPending();
        }
    }

    void decided(CloudEvent<ApprovalDecided> decision, String decisionPublisher) throws Exception {
        synchronized (lock) {
            feed.awaitEvent(decision, properties.catchUpTimeout());
            finishGrant(decision.data().requestId());
            // a request whose handling was cut short before its opening is judged by this environment's clock too
            openArrived();
            Verdict verdict = policy.decide(decision, decisionPublisher, rules, ledger, clock.instant());
            if (!publishUnseen(verdict.events())) {
                log.info("decision {} on request {} was handled before", decision.id(), decision.data().requestId());
                return;
            }
            count(verdict, decision);
        }
    }

    /**
     * Opens what arrived but was not opened, ends what the previous environment withdrew, expires what timed out,
     * supersedes what a newer request replaced, finishes grants whose promotion failed.
     *
     * <p>It decides from the ledger as the feed has read it, once the feed has read everything this process
     * published: no connection to find the stream's end. That is safe because what the ledger may not have read yet
     * comes from others, and each of those is handled on its own: a request or decision arrives in an inbox too and
     * is judged under this lock once its own record is read, after this sweep's endings; a withdrawal or a grant
     * left without its promotion is found by the next sweep. So a sweep on a lagging ledger decides as a sweep that
     * ran a moment earlier would, and the end a probe found was stale as soon as it was found anyway. What it
     * publishes has ids derived from the request, so an ending or opening another instance published meanwhile is
     * the same event, skipped by the ledger.
     */
    void sweep() throws Exception {
        synchronized (lock) {
            if (lastPublished != null) {
                // this process's own endings and openings, so it does not end or open anything twice
                feed.awaitEvent(lastPublished, properties.catchUpTimeout());
            }
            openArrived();
            endWithdrawn(Optional.empty());
            endPending();
            records.grantedRequestIds().forEach(this::finishGrant);
        }
    }

    /**
     * Publishes the opening of every pending request that has none yet, in the order they arrived, then waits
     * until the ledger holds them: expiry and supersession go by openings only.
     */
    private void openArrived() throws Exception {
        CloudEvent<ApprovalOpened> opened = null;
        for (PendingApproval approval : ledger.pendingApprovals()) {
            if (ledger.opened(approval.requestId()).isPresent()) {
                continue;
            }
            CloudEvent<ApprovalOpened> opening = policy.opening(approval, rules, clock.instant());
            if (!ledger.seen(opening.id())) {
                publisher.publish(opening);
                opened = published(opening);
                log.info("approval request {} for {} {} opened, expires at {}", approval.requestId(),
                        opening.data().release().service(), opening.data().release().version(),
                        opening.data().expiresAt());
            }
        }
        if (opened != null) {
            // the last one published is read after the others
            feed.awaitEvent(opened, properties.catchUpTimeout());
        }
    }

    private void endPending() {
        List<ApprovalPolicy.Waiting> waiting = new ArrayList<>();
        for (PendingApproval approval : ledger.pendingApprovals()) {
            ledger.opened(approval.requestId()).ifPresent(opened ->
                    waiting.add(new ApprovalPolicy.Waiting(approval, opened)));
        }
        publisher.publishUnseen(policy.endings(waiting, rules.environment(), clock.instant()), ledger::seen, ending -> {
            published(ending);
            metrics.counted(ending.data().reason().name().toLowerCase(Locale.ROOT));
            log.info("approval request {} for {} {} ended: {}", ending.data().requestId(),
                    ending.data().release().service(), ending.data().release().version(), ending.data().reason());
        });
    }

    /**
     * Ends, as WITHDRAWN, the pending requests for a release the previous environment's rollback service withdrew.
     * Before expiry and supersession, which share the ending's id: a withdrawn request ends with that reason. The
     * ledger is caught up afterwards, so what ended here is no longer pending for them.
     */
    private void endWithdrawn(Optional<CloudEvent<ApprovalRequested>> arrived) throws Exception {
        List<CloudEvent<ApprovalExpired>> ended = publisher.publishUnseen(
                policy.withdrawals(pendingRequests(arrived), rules, ledger), ledger::seen, ending -> {
                    published(ending);
                    metrics.counted("withdrawn");
                    log.warn("approval request {} for {} {} ended: {}", ending.data().requestId(),
                            ending.data().release().service(), ending.data().release().version(),
                            ending.data().message());
                });
        if (!ended.isEmpty()) {
            feed.awaitEvent(ended.get(ended.size() - 1), properties.catchUpTimeout());
        }
    }

    /** This environment's pending requests as their whole events; one just arrived may be ahead of the records. */
    private List<CloudEvent<ApprovalRequested>> pendingRequests(Optional<CloudEvent<ApprovalRequested>> arrived) {
        List<CloudEvent<ApprovalRequested>> pending = new ArrayList<>();
        for (PendingApproval approval : ledger.pendingApprovals()) {
            arrived.filter(event -> event.data().requestId().equals(approval.requestId()))
                    .or(() -> records.request(approval.requestId())).ifPresent(pending::add);
        }
        return pending;
    }

    /**
     * A grant went out but its promotion did not (the publish failed after it): publish the promotion from the
     * grant in the audit stream, with the id it would have had.
     */
    private void finishGrant(String requestId) {
        Optional<Decided> ended = ledger.decided(requestId);
        if (ended.isEmpty() || ended.get().outcome() != Decided.Outcome.GRANTED
                || ledger.seen(ApprovalPolicy.promotionId(requestId, rules.environment()))) {
            return;
        }
        Optional<CloudEvent<ApprovalGranted>> grant = records.grant(requestId);
        Optional<CloudEvent<ApprovalRequested>> request = records.request(requestId);
        if (grant.isEmpty() || request.isEmpty()
                || !grant.get().id().equals(ApprovalPolicy.endingId(requestId, EventType.APPROVAL_GRANTED,
                        rules.environment()))) {
            return;
        }
        log.warn("request {} was granted without its promotion; publishing the promotion now", requestId);
        CloudEvent<?> promotion = policy.promotion(grant.get(), request.get().data());
        publisher.publish(promotion);
        published(promotion);
    }

    /** Publishes the events the ledger has not seen; false when it had seen all of them (the work was done). */
    private boolean publishUnseen(List<CloudEvent<?>> events) {
        return events.isEmpty() || !publisher.publishUnseen(events, ledger::seen, this::published).isEmpty();
    }

    /** Remembers an event the broker confirmed, the last one of which a sweep waits for. */
    private <E extends CloudEvent<?>> E published(E event) {
        lastPublished = event;
        return event;
    }

    private void count(Verdict verdict, CloudEvent<ApprovalDecided> decision) {
        ApprovalDecided decided = decision.data();
        if (verdict instanceof Verdict.Refused refused) {
            metrics.counted("refused");
            metrics.refused(refused.reason());
            log.warn("refused decision {} by '{}' on request {}: {} ({})", decision.id(), decided.approver(),
                    decided.requestId(), refused.reason(), refused.refusal().data().message());
        } else if (verdict instanceof Verdict.Rejected rejected) {
            metrics.counted("rejected");
            metrics.waited(rejected.waited(), "rejected");
            log.info("request {} rejected by '{}'", decided.requestId(), decided.approver());
        } else if (verdict instanceof Verdict.VoteRecorded vote) {
            metrics.counted("vote");
            log.info("request {}: approval by '{}' recorded, {} of {} approvers so far", decided.requestId(),
                    decided.approver(), vote.approvers().size(), vote.needed());
        } else if (verdict instanceof Verdict.Granted granted) {
            metrics.counted("granted");
            metrics.waited(granted.waited(), "granted");
            if (granted.grant().data().override()) {
                metrics.overridden();
                log.warn("request {} granted by an OVERRIDE of '{}': {}", decided.requestId(), decided.approver(),
                        granted.grant().data().overrideReason());
            } else {
                log.info("request {} granted by {}", decided.requestId(), granted.grant().data().approvers());
            }
        }
    }
}
