package io.stagecoach.buildcompleted;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.buildcompleted.BuildPolicy.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildPolicy.Decision;
import io.stagecoach.buildcompleted.BuildPolicy.Refuse;
import io.stagecoach.buildcompleted.BuildPolicy.Register;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Decides on a build with the environment's current knowledge and carries the decision out: publishes the
 * promotion request, or reports why not. Shared by the inbox and the webhook (which asks before it publishes).
 */
@Component
public class BuildIntake {

    /** Counter of build events by result: registered, duplicate, refused. */
    public static final String BUILDS_METER = "stagecoach.builds";

    private static final Logger log = LoggerFactory.getLogger(BuildIntake.class);

    private final LedgerFeed feed;
    private final EnvironmentLedger ledger;
    private final ReleaseRegistry registry;
    private final Environments environments;
    private final StagecoachIdentity identity;
    private final EventPublisher publisher;
    private final MeterRegistry meterRegistry;
    private final LedgerProperties ledgerProperties;

    BuildIntake(LedgerFeed feed, EnvironmentLedger ledger, ReleaseRegistry registry, Environments environments,
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

    /** Brings the view up to the stream's end; a decision on a build depends on every earlier one. */
    public void catchUp() throws IOException, TimeoutException {
        feed.catchUp(ledgerProperties.catchUpTimeout());
    }

    /** Whether the environment's audit stream holds an event with this id (as far as the view has read). */
    public boolean seen(String eventId) {
        return ledger.seen(eventId);
    }

    /** The decision on {@code build} with what the view holds now (call {@link #catchUp()} first). */
    public Decision decide(CloudEvent<BuildCompleted> build) {
        return BuildPolicy.decide(build, knowledge(), identity.environmentName(), source());
    }

    /**
     * Handles a build from the inbox: catches up, decides, publishes the promotion request.
     *
     * @return the refusal, which the caller dead-letters; empty when handled
     */
    Optional<Refuse> handle(CloudEvent<BuildCompleted> build) throws IOException, TimeoutException {
        catchUp();
        Decision decision = decide(build);
        Release release = build.data().release();
        if (decision instanceof Register register) {
            publisher.publish(register.promotion());
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
        // CI following the run (stagecoach build --wait) learns of the refusal from the audit stream
        if (!ledger.seen(refuse.block().id())) {
            publisher.publish(refuse.block());
        }
        log.warn("Build event {} of {} {} refused: {}", build.id(), release.service(), release.version(),
                refuse.reason());
        return Optional.of(refuse);
    }

    /** Counts a refusal with the shared refused-events meter, as the inbound checks do. */
    void countRefused(String reasonTag) {
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
        };
    }
}
