package io.stagecoach.rollback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** The pipeline meters of the rollback service; {@code environment} is added to all of them globally. */
@Component
class RollbackMetrics {

    private final MeterRegistry registry;

    RollbackMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** result: completed or failed; trigger: what caused it (smoketest.failed, alert.firing, ...). */
    void rollback(String service, String result, String trigger) {
        Counter.builder("stagecoach.rollbacks").description("Rollbacks, by outcome and trigger")
                .tag("service", service).tag("result", result).tag("trigger", trigger).register(registry)
                .increment();
    }

    /** A release held here was withdrawn from the next environment, {@code next}. */
    void withdrawn(String service, String next) {
        Counter.builder("stagecoach.withdrawals")
                .description("Releases held here and withdrawn from the next environment")
                .tag("service", service).tag("next", next).register(registry).increment();
    }

    /** An operator lifted the hold on a release of {@code service} here. */
    void lifted(String service) {
        Counter.builder("stagecoach.holds.lifted").description("Holds on releases lifted by an operator")
                .tag("service", service).register(registry).increment();
    }

    /**
     * result: published, duplicate, ignored (resolved, another environment) or malformed on {@code POST /alerts};
     * stale when a published alert turned out to have started before the running release was deployed.
     */
    void alerts(String result, int count) {
        Counter.builder("stagecoach.alerts").description("Alertmanager alerts received on POST /alerts, by outcome")
                .tag("result", result).register(registry).increment(count);
    }
}
