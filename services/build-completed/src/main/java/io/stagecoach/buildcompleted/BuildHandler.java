package io.stagecoach.buildcompleted;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.buildcompleted.BuildDecision.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.buildcompleted.BuildDecision.Register;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.ServiceLocks;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Decides on a build with the environment's current knowledge ({@link BuildPolicy}) and carries the decision out:
 * publishes its events (the promotion request, or the block that ends a refused build's run) unless the audit stream
 * has them already, registers the release, counts and logs it. Shared by the inbox and the webhook (which asks
 * before it publishes, from the view as it is).
 */
@Component
public class BuildHandler {

    /** Counter of build events by result: registered, duplicate, refused. */
    public static final String BUILDS_METER = "stagecoach.builds";

    private static final Logger log = LoggerFactory.getLogger(BuildHandler.class);

    private final LedgerFeed feed;
    private final ServiceLocks locks = new ServiceLocks();
    private final EnvironmentLedger ledger;
    private final ReleaseRegistry registry;
    private final Environments environments;
    private final StagecoachIdentity identity;
    private final EventPublisher publisher;
    private final MeterRegistry meterRegistry;
    private final LedgerProperties ledgerProperties;

    BuildHandler(LedgerFeed feed, EnvironmentLedger ledger, ReleaseRegistry registry, Environments environments,
            StagecoachIdentity identity, EventPublisher publisher, MeterRegistry meterRegistry,
            LedgerProperties ledgerProperties) {
        this.feed = feed;
        this.ledger = ledger;
        this.registry = registry;
        this.environments = environments;
        this.identity = identity;
        this.publisher = publisher;
        this.meterRegistry = meterRegistry;
        this.ledgerProperties = ledgerProperties;
    }

    /** The environment builds enter: this one, if this instance serves the first environment. */
    public boolean servesFirstEnvironment() {
        return environments.isFirst(identity.environmentName());
    }

    public String environment() {
        return identity.environmentName();
    }

    /** Whether the environment's audit stream holds an event with this id (as far as the view has read). */
    public boolean seen(String eventId) {
        return ledger.seen(eventId);
    }

    /**
     * The decision on {@code build} with what the view holds now. The webhook asks before it publishes; a build from
     * the inbox is decided once the ledger read its record ({@link #handle}), and that decision is the one that counts.
     */
    public BuildDecision decide(CloudEvent<BuildCompleted> build) {
        return BuildPolicy.decide(build, knowledge(), identity.environmentName(), source());
    }

    /**
     * Handles a build from the inbox: waits until the ledger read it, decides, publishes the decision's events.
     *
     * @return the refusal, which the caller dead-letters; empty when handled
     */
    Optional<Refuse> handle(CloudEvent<BuildCompleted> build) throws TimeoutException {
        // builds of one service one at a time, other services' beside them (ADR 18)
        ReentrantLock lock = locks.of(build.data().release().service());
        lock.lock();
        try {
            return handleNow(build);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Refuse> handleNow(CloudEvent<BuildCompleted> build) throws TimeoutException {
        // its record is in the stream (one publish routes it there and to the inbox), after every earlier one
        feed.awaitEvent(build, ledgerProperties.catchUpTimeout());
        BuildDecision decision = decide(build);
        // the block of a refusal is how CI following the run (stagecoach build --wait) learns of it; a redelivered
        // refused build finds it in the audit stream already
        publisher.publishUnseen(decision.events(), ledger::seen);
        Release release = build.data().release();
        if (decision instanceof Register register) {
            registry.register(release);
            count("registered");
            log.info("Registered {} {} ({}) from build event {}: promotion requested as {} in run {}",
                    release.service(), release.version(), release.digest(), build.id(), register.promotion().id(),
                    register.promotion().correlationid());
            return Optional.empty();
        }
        if (decision instanceof AlreadyRegistered registered) {
            count("duplicate");
            log.info("Build event {} of {} {} is a duplicate: run {} was registered before", build.id(),
                    release.service(), release.version(), registered.runId());
            return Optional.empty();
        }
        Refuse refuse = (Refuse) decision;
        count("refused");
        countRefused(refuse.reasonTag());
        log.warn("Build event {} of {} {} refused: {}", build.id(), release.service(), release.version(),
                refuse.reason());
        return Optional.of(refuse);
    }

    /** Counts a refusal with the shared refused-events meter, as the inbound checks do. */
    private void countRefused(String reasonTag) {
        Counter.builder(InboundEvents.REFUSED_METER)
                .description("Deliveries refused before handling, by event type and reason")
                .tag("type", "build.completed")
                .tag("reason", reasonTag)
                .register(meterRegistry)
                .increment();
    }

    private void count(String result) {
        Counter.builder(BUILDS_METER)
                .description("Build events by what they led to")
                .tag("result", result)
                .register(meterRegistry)
                .increment();
    }

    private String source() {
        return "/stagecoach/" + identity.environmentName() + "/" + identity.service().id();
    }

    private BuildPolicy.Knowledge knowledge() {
        return new BuildPolicy.Knowledge() {
            @Override
            public boolean seen(String eventId) {
                return ledger.seen(eventId);
            }

            @Override
            public Optional<Release> registered(String service, String version) {
                return registry.registered(service, version);
            }

            @Override
            public List<String> services() {
                return environments.services();
            }

            @Override
            public Optional<String> lastLift(Release release) {
                return ledger.lastLift(release).map(EnvironmentLedger.Lift::eventId);
            }
        };
    }
}
