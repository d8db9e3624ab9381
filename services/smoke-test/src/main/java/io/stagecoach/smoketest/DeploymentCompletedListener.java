package io.stagecoach.smoketest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * The inbox: each completed deployment of this environment is checked, and the outcome published. A deployment whose
 * outcome is already in the audit stream (a redelivery) is not checked again; nor is one a newer deployment of the
 * service has replaced in the meantime (its checks would judge the newer release), and one replaced while its checks
 * ran gets no result: its run ends with a {@code promotion.blocked} (SUPERSEDED, or HELD when it was rolled back).
 */
@Component
class DeploymentCompletedListener {

    /** {@code BrokerNames.inboxQueue("smoke-test", EventType.DEPLOYMENT_COMPLETED)}. */
    static final String INBOX = "smoke-test.deployment-completed";

    /** Counter of deployments checked, by result: passed, failed, error. */
    static final String SMOKE_TESTS_METER = "stagecoach.smoketests";

    private static final Logger log = LoggerFactory.getLogger(DeploymentCompletedListener.class);

    private final InboundEvents inbound;
    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final SmokeTestRunner runner;
    private final SmokeTestProperties properties;
    private final LedgerProperties ledgerProperties;
    private final EventPublisher publisher;
    private final StagecoachIdentity identity;
    private final MeterRegistry meterRegistry;

    DeploymentCompletedListener(InboundEvents inbound, LedgerFeed feed, EnvironmentLedger ledger,
            SmokeTestRunner runner, SmokeTestProperties properties, LedgerProperties ledgerProperties,
            EventPublisher publisher, StagecoachIdentity identity, MeterRegistry meterRegistry) {
        this.inbound = inbound;
        this.feed = feed;
        this.ledger = ledger;
        this.runner = runner;
        this.properties = properties;
        this.ledgerProperties = ledgerProperties;
        this.publisher = publisher;
        this.identity = identity;
        this.meterRegistry = meterRegistry;
    }

    @RabbitListener(queues = INBOX)
    void onDeploymentCompleted(Message message) throws Exception {
        inbound.receive(message, DeploymentCompleted.class, this::check);
    }

    void check(CloudEvent<DeploymentCompleted> deployment) throws Exception {
        feed.catchUp(ledgerProperties.catchUpTimeout());
        Release release = deployment.data().release();
        Optional<String> done = SmokeTestPolicy.possibleIds(deployment).stream().filter(ledger::seen).findFirst();
        if (done.isPresent()) {
            log.info("Deployment {} of {} {} was checked before (event {}): not again", deployment.id(),
                    release.service(), release.version(), done.get());
            return;
        }
        if (replaced(deployment, "before it was checked")) {
            return;
        }
        List<SmokeCheck> checks = runner.run(properties.checksFor(release.service()), Map.of(
                "environment", identity.environmentName(),
                "namespace", identity.environment().namespace(),
                "service", release.service(),
                "version", release.version()));
        // the checks take seconds: a newer release may have replaced this one meanwhile, and then they judged it
        feed.catchUp(ledgerProperties.catchUpTimeout());
        if (replaced(deployment, "while it was checked")) {
            return;
        }
        CloudEvent<?> outcome = SmokeTestPolicy.decide(deployment, checks, source());
        publisher.publish(outcome);
        String result = outcome.data() instanceof SmokeTestFailed failed
                ? failed.status().name().toLowerCase(java.util.Locale.ROOT) : "passed";
        Counter.builder(SMOKE_TESTS_METER)
                .description("Deployments smoke-tested, by result")
                .tag("service", release.service())
                .tag("result", result)
                .register(meterRegistry)
                .increment();
        if (outcome.data() instanceof SmokeTestFailed failed) {
            log.warn("Smoke tests of {} {} in {}: {} ({}), event {}", release.service(), release.version(),
                    identity.environmentName(), result, failed.summary(), outcome.id());
        } else {
            log.info("Smoke tests of {} {} in {} passed ({} checks), event {}", release.service(), release.version(),
                    identity.environmentName(), checks.size(), outcome.id());
        }
    }

    /** Ends the run of a deployment a newer one replaced ({@code when}), instead of checking or judging it. */
    private boolean replaced(CloudEvent<DeploymentCompleted> deployment, String when) {
        Release release = deployment.data().release();
        Optional<EnvironmentLedger.Deployed> running = ledger.running(release.service());
        if (running.isEmpty() || running.get().release().sameBuildAs(release)) {
            return false;
        }
        log.info("Deployment {} of {} {} was replaced by {} (event {}) {}: no result for it", deployment.id(),
                release.service(), release.version(), running.get().release().version(), running.get().eventId(),
                when);
        publisher.publish(SmokeTestPolicy.replaced(deployment, running.get().release(), ledger.isHeld(release),
                source()));
        return true;
    }

    private String source() {
        return "/stagecoach/" + identity.environmentName() + "/" + identity.service().id();
    }
}
