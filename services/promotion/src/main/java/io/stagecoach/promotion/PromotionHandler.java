package io.stagecoach.promotion;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.SmokeTestPassed;
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
import io.stagecoach.deploy.RolloutFailedException;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.StaleDecisionException;
import io.stagecoach.deploy.TargetSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Handles this environment's promotion requests, smoke passes and withdrawals: wait until the ledger read the event
 * (and so everything before it), skip what was handled already, ask the policy, act through the target, publish the
 * decision's events. A deployment lands only over what the target said runs when it was decided; when another writer
 * changed that in between, the request is decided again on the new state (ADR 26). One event of a promoted service
 * at a time, so two decisions never race on the same state; different services decide in parallel (ADR 18).
 */
@Service
class PromotionHandler {

    private static final Logger log = LoggerFactory.getLogger(PromotionHandler.class);
    /** How often a request is decided when other writers keep changing the environment under it. */
    static final int MAX_DECISIONS = 3;

    private final ServiceLocks locks = new ServiceLocks();
    private final Environment environment;
    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final LedgerView view;
    private final DeployTarget target;
    private final EventPublisher publisher;
    private final PromotionMetrics metrics;
    private final Duration catchUpTimeout;
    private final PromotionPolicy promotionPolicy;
    private final HandoffPolicy handoffPolicy;
    private final java.time.Clock clock;

    PromotionHandler(Environments environments, Environment environment, LedgerFeed feed, DeployTarget target,
                     TargetSettings targetSettings, EventPublisher publisher, PromotionMetrics metrics,
                     PromotionProperties properties) {
        this.environment = environment;
        this.feed = feed;
        this.ledger = feed.ledger();
        this.view = LedgerView.of(ledger);
        this.target = target;
        this.publisher = publisher;
        this.metrics = metrics;
        this.catchUpTimeout = properties.catchUpTimeout();
        this.promotionPolicy = new PromotionPolicy(environments, environment, targetSettings.type().id());
        this.handoffPolicy = new HandoffPolicy(environments, environment);
        this.clock = java.time.Clock.systemUTC();
    }

    /** Whether the environment is frozen now, by its schedule or its operator's stop of the line. */
    private boolean frozen() {
        return io.stagecoach.ledger.Freeze.at(environment.freeze(), ledger.lineStop(), clock.instant()).isPresent();
    }

    /** Whether a decision about {@code service} is under way here (its deployment may have changed the target). */
    boolean deciding(String service) {
        return locks.of(service).isLocked();
    }

    /** @param publisherUser the broker-validated user that published the request */
    void promote(CloudEvent<PromotionRequested> request, String publisherUser) throws Exception {
        locked(request.data().release().service(), () -> {
            feed.awaitEvent(request, catchUpTimeout);
            return decide(request, publisherUser);
        });
    }

    /**
     * Decides a request parked while the environment was frozen, as it arrived and with the user that published it;
     * the ledger read it long ago (it read the parking after it).
     *
     * @return the decision, or empty when the request was handled already
     */
    Optional<PromotionDecision> resume(PromotionFrozen.Parked parked) throws Exception {
        CloudEvent<PromotionRequested> request = parked.event();
        return locked(request.data().release().service(), () -> decide(request, parked.publisher()));
    }

    private Optional<PromotionDecision> decide(CloudEvent<PromotionRequested> request, String publisherUser)
            throws Exception {
        if (handled(PromotionPolicy.outcomeIds(request))) {
            log.info("promotion request {} was handled already", request.id());
            return Optional.empty();
        }
        Release release = request.data().release();
        Optional<RunningRelease> running = target.running(environment.name(), release.service());
        PromotionDecision decision = promotionPolicy.decide(request, publisherUser, view, running, clock.instant());
        if (decision instanceof PromotionDecision.Deploy deploy) {
            decision = promotionPolicy.preflight(deploy,
                    target.preflight(environment.name(), release.service()), running);
        }
        for (int decided = 1; decision instanceof PromotionDecision.Deploy deploy; decided++) {
            try {
                decision = deploy(deploy, release);
            } catch (StaleDecisionException stale) {
                // another writer changed the environment since the decision: decide again on what is there
                // now (a newer release there blocks this one), a bounded number of times
                if (decided >= MAX_DECISIONS) {
                    decision = failed(deploy, release, stale.getMessage() + "; it kept changing, gave up after "
                            + decided + " decisions", 1, DeploymentFailed.Cause.TARGET_CHANGED);
                } else {
                    log.info("{}; deciding again", stale.getMessage());
                    running = target.running(environment.name(), release.service());
                    decision = promotionPolicy.decide(request, publisherUser, view, running, clock.instant());
                }
            }
        }
        publisher.publishAll(decision.events());
        if (decision instanceof PromotionDecision.Blocked blocked) {
            log.info("promotion of {} {} blocked ({}): {}", release.service(), release.version(),
                    blocked.reason(), blocked.event().data().message());
            metrics.promotion(release.service(), "blocked");
            metrics.blocked(release.service(), blocked.reason().name());
        } else if (decision instanceof PromotionDecision.Parked parked) {
            log.info("promotion of {} {} parked: {}", release.service(), release.version(),
                    parked.event().data().message());
            metrics.promotion(release.service(), "parked");
        } else if (decision instanceof PromotionDecision.Nothing nothing) {
            log.info("promotion request {}: {}", request.id(), nothing.why());
            metrics.promotion(release.service(), "unchanged");
        }
        if (decision instanceof PromotionDecision.Deployed && request.data().reason()
                == PromotionRequested.Reason.OVERRIDE && frozen()) {
            log.warn("{} {} went into {} during its freeze: an override approved by {}", release.service(),
                    release.version(), environment.name(), String.join(" and ",
                            request.data().approval().approvers()));
            metrics.freezeOverride();
        }
        return Optional.of(decision);
    }

    /**
     * Puts the release in through the target; the decision it returns announces how that went. A target that cannot
     * be reached (its own retries spent, or its circuit breaker open) says nothing about the release: the exception
     * goes to the listener, which retries the delivery and then sets it aside as {@code failed}, for
     * {@code stagecoach dead-letters replay} once the target is back. No {@code deployment.failed}, so nothing is
     * rolled back or held for it (ADR 32).
     */
    private PromotionDecision deploy(PromotionDecision.Deploy deploy, Release release) {
        try {
            DeployResult result = target.deploy(deploy.deployment());
            log.info("deployed {} {} to {} at {}{}", release.service(), release.version(), environment.name(),
                    result.revision(), result.changed() ? "" : " (it was there already)");
            metrics.deployment(release.service(), "completed");
            metrics.promotion(release.service(), "deployed");
            return deploy.completed(result);
        } catch (StaleDecisionException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw unreachable(release, e);
        } catch (DeployTargetException e) {
            if (e.isTransient()) {
                throw unreachable(release, e);
            }
            return failed(deploy, release, e.getMessage(), 1, e instanceof RolloutFailedException
                    ? DeploymentFailed.Cause.RELEASE_UNHEALTHY : DeploymentFailed.Cause.TARGET_REFUSED);
        }
    }

    private RuntimeException unreachable(Release release, RuntimeException e) {
        log.warn("deploying {} {} to {}: the target is unreachable, the request is retried: {}", release.service(),
                release.version(), environment.name(), e.getMessage());
        metrics.deployment(release.service(), "unreachable");
        return e;
    }

    private PromotionDecision failed(PromotionDecision.Deploy deploy, Release release, String error, int attempts,
                                     DeploymentFailed.Cause cause) {
        log.warn("deploying {} {} to {} failed ({}): {}", release.service(), release.version(), environment.name(),
                cause, error);
        metrics.deployment(release.service(), "failed");
        metrics.promotion(release.service(), "failed");
        return deploy.failed(error, attempts, cause);
    }

    void handOff(CloudEvent<SmokeTestPassed> passed) throws Exception {
        locked(passed.data().release().service(), () -> {
            feed.awaitEvent(passed, catchUpTimeout);
            return decideHandOff(passed);
        });
    }

    /**
     * Decides again a smoke pass the ledger kept, once its release may have soaked; the ledger read it long ago.
     *
     * @return the decision, or empty when the pass was handed off already
     */
    Optional<HandoffDecision> resumeHandOff(CloudEvent<SmokeTestPassed> passed) throws Exception {
        return locked(passed.data().release().service(), () -> decideHandOff(passed));
    }

    /** Runs {@code call} holding {@code service}'s lock: one decision about a service at a time (ADR 18). */
    private <T> T locked(String service, java.util.concurrent.Callable<T> call) throws Exception {
        ReentrantLock lock = locks.of(service);
        lock.lock();
        try {
            return call.call();
        } finally {
            lock.unlock();
        }
    }

    private Optional<HandoffDecision> decideHandOff(CloudEvent<SmokeTestPassed> passed) throws Exception {
        if (handled(handoffPolicy.outcomeIds(passed))) {
            log.info("smoke pass {} was handed off already", passed.id());
            return Optional.empty();
        }
        Release release = passed.data().release();
        Optional<Instant> deployedAt = view.runningSince(release.service());
        HandoffDecision handoff = handoffPolicy.decide(passed, view, Instant.now());
        publisher.publishAll(handoff.events());
        if (handoff instanceof HandoffDecision.Promote promote) {
            handedOff(release, promote.event().environment(), "promotion", deployedAt, passed.time());
        } else if (handoff instanceof HandoffDecision.RequestApproval approval) {
            handedOff(release, approval.event().environment(), "approval", deployedAt, passed.time());
        } else if (handoff instanceof HandoffDecision.Stopped stopped) {
            log.info("smoke pass {} goes no further: {}", passed.id(), stopped.event().data().message());
            metrics.blocked(release.service(), stopped.event().data().reason().name());
        } else if (handoff instanceof HandoffDecision.End end) {
            log.info("{}", end.why());
            metrics.handoff(release.service(), "end");
        } else if (handoff instanceof HandoffDecision.Soaking soaking) {
            log.info("{}", soaking.why());
            metrics.handoff(release.service(), "soaking");
        } else if (handoff instanceof HandoffDecision.Ignored ignored) {
            log.info("smoke pass {} ignored: {}", passed.id(), ignored.why());
        }
        return Optional.of(handoff);
    }

    /** The previous environment withdrew a release (the inbox checked it came from its rollback service). */
    void withdraw(CloudEvent<ReleaseWithdrawn> withdrawal) throws Exception {
        ReentrantLock lock = locks.of(withdrawal.data().release().service());
        lock.lock();
        try {
            feed.awaitEvent(withdrawal, catchUpTimeout);
            if (handled(PromotionPolicy.outcomeIds(withdrawal))) {
                log.info("withdrawal {} was handled already", withdrawal.id());
                return;
            }
            PromotionDecision.Blocked blocked = promotionPolicy.withdrawn(withdrawal, view);
            publisher.publishAll(blocked.events());
            Release release = withdrawal.data().release();
            log.warn("{} {} withdrawn from {} by {}: {}", release.service(), release.version(), environment.name(),
                    withdrawal.data().withdrawnIn(), blocked.event().data().message());
            metrics.blocked(release.service(), blocked.reason().name());
        } finally {
            lock.unlock();
        }
    }

    private void handedOff(Release release, String next, String kind, Optional<Instant> deployedAt, Instant at) {
        log.info("{} {} verified in {}: {} requested in {}", release.service(), release.version(),
                environment.name(), kind, next);
        metrics.handoff(release.service(), kind);
        deployedAt.ifPresent(since -> metrics.leadTime(environment.name() + "->" + next, Duration.between(since, at)));
    }

    private boolean handled(List<String> outcomeIds) {
        return outcomeIds.stream().anyMatch(ledger::seen);
    }
}
