package io.stagecoach.promotion;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/** The pipeline meters of the promotion service; {@code environment} is added to all of them globally. */
@Component
class PromotionMetrics {

    private final MeterRegistry registry;
    private final Counter freezeOverrides;

    PromotionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.freezeOverrides = Counter.builder("stagecoach.freeze.overrides")
                .description("Releases that went into a frozen environment on an override two people approved")
                .register(registry);
    }

    /** result: deployed, blocked, failed, parked (the environment is frozen) or unchanged (already running). */
    void promotion(String service, String result) {
        Counter.builder("stagecoach.promotions").description("Promotion requests handled, by outcome")
                .tag("service", service).tag("result", result).register(registry).increment();
    }

    void blocked(String service, String reason) {
        Counter.builder("stagecoach.promotion.blocked").description("Promotions the policy refused, by reason")
                .tag("service", service).tag("reason", reason).register(registry).increment();
    }

    /** result: completed or failed. */
    void deployment(String service, String result) {
        Counter.builder("stagecoach.deployments").description("Deployments through the target, by outcome")
                .tag("service", service).tag("result", result).register(registry).increment();
    }

    /** How long a release stayed in one environment, from its deployment until it was handed to the next. */
    void leadTime(String hop, Duration duration) {
        Timer.builder("stagecoach.lead.time").description("Time from deployment in an environment to its hand-off")
                .tag("hop", hop).register(registry).record(duration.isNegative() ? Duration.ZERO : duration);
    }

    /** kind: promotion or approval (what the next environment was asked for), or end. */
    /**
     * A release that went into a frozen environment on an override two people approved (alerted). One series per
     * environment, there from the start at 0, so that the alert sees the first override as an increase.
     */
    void freezeOverride() {
        freezeOverrides.increment();
    }

    void handoff(String service, String kind) {
        Counter.builder("stagecoach.handoffs").description("Verified releases handed to the next environment")
                .tag("service", service).tag("kind", kind).register(registry).increment();
    }
}
