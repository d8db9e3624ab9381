package io.stagecoach.rollback;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventData;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.DeployTargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Handles what may call for a rollback here: catch the ledger up, skip what was handled already, ask the policy,
 * put the release back through the target, publish. One trigger at a time, so two failures reported together
 * never roll back twice.
 */
@Service
class RollbackService {

    private static final Logger log = LoggerFactory.getLogger(RollbackService.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final DeployTarget target;
    private final EventPublisher publisher;
    private final RollbackMetrics metrics;
    private final Duration catchUpTimeout;
    private final RollbackPolicy policy;

    RollbackService(Environments environments, Environment environment, LedgerFeed feed, DeployTarget target,
                    EventPublisher publisher, RollbackMetrics metrics, RollbackProperties properties) {
        this.feed = feed;
        this.ledger = feed.ledger();
        this.target = target;
        this.publisher = publisher;
        this.metrics = metrics;
        this.catchUpTimeout = properties.catchUpTimeout();
        this.policy = new RollbackPolicy(environment, environments.next(environment.name()));
    }

    <T extends EventData> void handle(CloudEvent<T> trigger) throws Exception {
        lock.lock();
        try {
            feed.catchUp(catchUpTimeout);
            if (RollbackPolicy.outcomeIds(trigger).stream().anyMatch(ledger::seen)) {
                log.info("{} {} was handled already", trigger.eventType().eventName(), trigger.id());
                return;
            }
            String service = trigger.data().subject();
            String cause = trigger.eventType().eventName();
            LedgerView view = LedgerView.of(ledger);
            RollbackDecision decision = policy.decide(trigger, view);
            // before the deploy: the next environment stops trusting the release as early as possible, and a retry
            // after a crash between the two finds the withdrawal seen and the rollback still to do
            policy.withdrawal(trigger, decision, view).filter(w -> !ledger.seen(w.id())).ifPresent(this::withdraw);
            if (decision instanceof RollbackDecision.Nothing nothing) {
                log.info("{} {}: {}", cause, trigger.id(), nothing.why());
            } else if (decision instanceof RollbackDecision.StaleAlert stale) {
                log.info("{} {} ignored: {}", cause, trigger.id(), stale.why());
                metrics.alerts("stale", 1);
            } else if (decision instanceof RollbackDecision.Failed failed) {
                publisher.publish(failed.event());
                log.warn("no rollback of {} after {}: {}", service, cause, failed.event().data().reason());
                metrics.rollback(service, "failed", cause);
            } else if (decision instanceof RollbackDecision.Rollback rollback) {
                rollBack(rollback, service, cause);
            }
        } finally {
            lock.unlock();
        }
    }

    private void withdraw(CloudEvent<ReleaseWithdrawn> withdrawal) {
        publisher.publish(withdrawal);
        ReleaseWithdrawn data = withdrawal.data();
        log.warn("withdrew {} {} from {}: {}", data.release().service(), data.release().version(),
                data.environment(), data.message());
        metrics.withdrawn(data.release().service(), data.environment());
    }

    private void rollBack(RollbackDecision.Rollback rollback, String service, String cause) {
        CloudEvent<?> outcome;
        String result;
        try {
            DeployResult deployed = target.deploy(rollback.deployment());
            outcome = rollback.completed(deployed);
            result = "completed";
            log.info("rolled {} back from {} to {} after {} (revision {})", service, rollback.from().version(),
                    rollback.to().version(), cause, deployed.revision());
        } catch (DeployTargetException | CallNotPermittedException e) {
            outcome = rollback.failed(e.getMessage());
            result = "failed";
            log.warn("rolling {} back to {} failed: {}", service, rollback.to().version(), e.getMessage());
        }
        publisher.publish(outcome);
        metrics.rollback(service, result, cause);
    }
}
