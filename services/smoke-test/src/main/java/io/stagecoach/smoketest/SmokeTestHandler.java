package io.stagecoach.smoketest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.smoketest.SmokeTestDecision.CheckedBefore;
import io.stagecoach.smoketest.SmokeTestDecision.Failed;
import io.stagecoach.smoketest.SmokeTestDecision.Passed;
import io.stagecoach.smoketest.SmokeTestDecision.Replaced;
import io.stagecoach.smoketest.SmokeTestPolicy.Situation;
import io.stagecoach.support.ServiceLocks;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Checks a completed deployment and publishes the outcome: catches the ledger up, asks {@link SmokeTestPolicy},
 * runs the checks when it says so and asks it again with their results (the ledger caught up once more), then
 * publishes the decision's events and counts them. A deployment whose outcome is already in the audit stream (a
 * redelivery) is not checked again; nor is one a newer deployment of the service has replaced in the meantime (its
 * checks would judge the newer release), and one replaced while its checks ran gets no result: its run ends with a
 * {@code promotion.blocked} (SUPERSEDED, or HELD when it was rolled back).
 */
@Component
class SmokeTestHandler {

    /** Counter of deployments checked, by result: passed, failed, error. */
    static final String SMOKE_TESTS_METER = "stagecoach.smoketests";

    private static final Logger log = LoggerFactory.getLogger(SmokeTestHandler.class);

    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final SmokeTestRunner runner;
    private final SmokeTestProperties properties;
    private final LedgerProperties ledgerProperties;
    private final EventPublisher publisher;
    private final StagecoachIdentity identity;
    private final MeterRegistry meterRegistry;
    private final ServiceLocks locks = new ServiceLocks();

    SmokeTestHandler(LedgerFeed feed, SmokeTestRunner runner, SmokeTestProperties properties,
            LedgerProperties ledgerProperties, EventPublisher publisher, StagecoachIdentity identity,
            MeterRegistry meterRegistry) {
        this.feed = feed;
        this.ledger = feed.ledger();
        this.runner = runner;
        this.properties = properties;
        this.ledgerProperties = ledgerProperties;
        this.publisher = publisher;
        this.identity = identity;
        this.meterRegistry = meterRegistry;
    }

    /** One deployment of a promoted service at a time; other services' checks run beside it (ADR 18). */
    void handle(CloudEvent<DeploymentCompleted> deployment) throws Exception {
        ReentrantLock lock = locks.of(deployment.data().release().service());
        lock.lock();
        try {
            check(deployment);
        } finally {
            lock.unlock();
        }
    }

    private void check(CloudEvent<DeploymentCompleted> deployment) throws Exception {
        feed.awaitEvent(deployment, ledgerProperties.catchUpTimeout());
        SmokeTestDecision decision = SmokeTestPolicy.beforeChecks(deployment, situation(deployment), source());
        if (decision instanceof SmokeTestDecision.Checking) {
            Release release = deployment.data().release();
            List<SmokeCheck> checks = runner.run(properties.checksFor(release.service()), Map.of(
                    "environment", identity.environmentName(),
                    "namespace", identity.environment().namespace(),
                    "service", release.service(),
                    "version", release.version(),
                    "flags", release.flags() == null ? "" : release.flags().digest()),
                    // the feed applies records while the checks run: a newer deployment ends their retries
                    () -> SmokeTestPolicy.replaced(deployment, situation(deployment)));
            decision = SmokeTestPolicy.afterChecks(deployment, checks, situation(deployment), source());
        }
        publisher.publishAll(decision.events());
        record(deployment, decision);
    }

    private Situation situation(CloudEvent<DeploymentCompleted> deployment) {
        Release release = deployment.data().release();
        return new Situation(SmokeTestPolicy.possibleIds(deployment).stream().filter(ledger::seen).findFirst(),
                ledger.running(release.service()), ledger.isHeld(release));
    }

    /** The log line and, for a result, the counter of what {@code decision} was. */
    private void record(CloudEvent<DeploymentCompleted> deployment, SmokeTestDecision decision) {
        Release release = deployment.data().release();
        if (decision instanceof CheckedBefore before) {
            log.info("Deployment {} of {} {} was checked before (event {}): not again", deployment.id(),
                    release.service(), release.version(), before.eventId());
        } else if (decision instanceof Replaced replaced) {
            log.info("Deployment {} of {} {} was replaced by {} (event {}) {}: no result for it", deployment.id(),
                    release.service(), release.version(), replaced.running().release().version(),
                    replaced.running().eventId(), replaced.when());
        } else if (decision instanceof Passed passed) {
            count(release, "passed");
            log.info("Smoke tests of {} {} in {} passed ({} checks), event {}", release.service(), release.version(),
                    identity.environmentName(), passed.passed().data().checks().size(), passed.passed().id());
        } else if (decision instanceof Failed failed) {
            String result = failed.status().name().toLowerCase(Locale.ROOT);
            count(release, result);
            log.warn("Smoke tests of {} {} in {}: {} ({}), event {}", release.service(), release.version(),
                    identity.environmentName(), result, failed.failed().data().summary(), failed.failed().id());
        }
    }

    private void count(Release release, String result) {
        Counter.builder(SMOKE_TESTS_METER)
                .description("Deployments smoke-tested, by result")
                .tag("service", release.service())
                .tag("result", result)
                .register(meterRegistry)
                .increment();
    }

    private String source() {
        return "/stagecoach/" + identity.environmentName() + "/" + identity.service().id();
    }
}
