package io.stagecoach.rollback;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventData;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.ServiceLocks;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.DeployTargetException;
import io.stagecoach.deploy.StaleDecisionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Handles what may call for a rollback here: wait until the ledger read the trigger, skip what was handled already,
 * ask the policy, put the release back through the target, publish the decision's events. One trigger of a promoted
 * service at a time, so two failures reported together never roll back twice; other services' beside it (ADR 18).
 */
@Service
class RollbackHandler {

    private static final Logger log = LoggerFactory.getLogger(RollbackHandler.class);

    private final ServiceLocks locks = new ServiceLocks();
    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final LedgerView view;
    private final DeployTarget target;
    private final EventPublisher publisher;
    private final RollbackMetrics metrics;
    private final Duration catchUpTimeout;
    private final RollbackPolicy policy;

    RollbackHandler(Environments environments, Environment environment, LedgerFeed feed, DeployTarget target,
                    EventPublisher publisher, RollbackMetrics metrics, RollbackProperties properties) {
        this.feed = feed;
        this.ledger = feed.ledger();
        this.view = LedgerView.of(ledger);
        this.target = target;
        this.publisher = publisher;
        this.metrics = metrics;
        this.catchUpTimeout = properties.catchUpTimeout();
        this.policy = new RollbackPolicy(environment, environments.next(environment.name()));
    }

    <T extends EventData> void handle(CloudEvent<T> trigger) throws Exception {
        ReentrantLock lock = locks.of(trigger.data().subject());
        lock.lock();
        try {
            feed.awaitEvent(trigger, catchUpTimeout);
            if (RollbackPolicy.outcomeIds(trigger).stream().anyMatch(ledger::seen)) {
                log.info("{} {} was handled already", trigger.eventType().eventName(), trigger.id());
                return;
            }
            String service = trigger.data().subject();
            String cause = trigger.eventType().eventName();
            RollbackDecision decision = policy.decide(trigger, view);
            // its withdrawal comes before the deploy: the next environment stops trusting the release as early as
            // possible, and a retry after a crash between the two finds the withdrawal seen and the rollback still
            // to do
            publish(decision);
            if (decision instanceof RollbackDecision.Nothing nothing) {
                log.info("{} {}: {}", cause, trigger.id(), nothing.why());
            } else if (decision instanceof RollbackDecision.StaleAlert stale) {
                log.info("{} {} ignored: {}", cause, trigger.id(), stale.why());
                metrics.alerts("stale", 1);
            } else if (decision instanceof RollbackDecision.Failed failed) {
                log.warn("no rollback of {} after {}: {}", service, cause, failed.event().data().reason());
                metrics.rollback(service, "failed", cause);
            } else if (decision instanceof RollbackDecision.Rollback rollback) {
                rollBack(rollback, service, cause);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * An operator lifted a hold here (the inbox checked it is this environment's operator). The ledger of every service
     * folds the lift from the audit stream, so the release may be promoted here again: the next build of it, or CI's
     * retry of the same build. Here it is logged and counted once the ledger has it.
     */
    void released(CloudEvent<HoldReleased> lift) throws Exception {
        ReentrantLock lock = locks.of(lift.data().subject());
        lock.lock();
        try {
            feed.awaitEvent(lift, catchUpTimeout);
            HoldReleased data = lift.data();
            boolean counted = ledger.lastLift(data.release()).filter(l -> l.eventId().equals(lift.id())).isPresent();
            if (!counted) {
                log.info("hold.released {} of {} {} was overtaken by a later lift", lift.id(),
                        data.release().service(), data.release().version());
                return;
            }
            log.warn("{} lifted the hold on {} {}{}: {}", data.releasedBy(), data.release().service(),
                    data.release().version(), ledger.isHeld(data.release()) ? " (held again since)" : "",
                    data.reason());
            metrics.lifted(data.release().service());
        } finally {
            lock.unlock();
        }
    }

    /** Publishes the decision's events the ledger has not seen (a withdrawal may have gone out before a crash). */
    private void publish(RollbackDecision decision) {
        publisher.publishUnseen(decision.events(), ledger::seen, event -> {
            if (event.data() instanceof ReleaseWithdrawn withdrawn) {
                log.warn("withdrew {} {} from {}: {}", withdrawn.release().service(), withdrawn.release().version(),
                        withdrawn.environment(), withdrawn.message());
                metrics.withdrawn(withdrawn.release().service(), withdrawn.environment());
            }
        });
    }

    private void rollBack(RollbackDecision.Rollback rollback, String service, String cause) {
        RollbackDecision outcome;
        String result;
        try {
            DeployResult deployed = target.deploy(rollback.deployment());
            outcome = rollback.completed(deployed);
            result = "completed";
            log.info("rolled {} back from {} to {} after {} (revision {})", service, rollback.from().version(),
                    rollback.to().version(), cause, deployed.revision());
        } catch (StaleDecisionException e) {
            // a promotion (or a person) changed the environment since the decision: reverting that without a word
            // is not what anyone asked for; refuse, audited, and let people roll back again if it must go
            outcome = rollback.failed(e.getMessage() + "; roll back again if what runs now must go too");
            result = "failed";
            log.warn("not rolling {} back to {}: {}", service, rollback.to().version(), e.getMessage());
        } catch (DeployTargetException | CallNotPermittedException e) {
            outcome = rollback.failed(e.getMessage());
            result = "failed";
            log.warn("rolling {} back to {} failed: {}", service, rollback.to().version(), e.getMessage());
        }
        publish(outcome);
        metrics.rollback(service, result, cause);
    }
}
