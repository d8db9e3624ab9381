package io.stagecoach.approval;

import java.time.Duration;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.EventType;
import io.stagecoach.support.inbound.InboundEvents;

/** The approval meters; the {@code environment} tag is added to every meter by service-support. */
final class ApprovalMetrics {

    static final String APPROVALS = "stagecoach.approvals";
    static final String WAIT = "stagecoach.approval.wait";
    static final String OVERRIDE = "stagecoach.approval.override";
    static final String SWEEPS = "stagecoach.approval.sweeps";

    private final MeterRegistry registry;

    ApprovalMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code decision}: granted, rejected, vote, refused, expired, superseded or withdrawn. */
    void counted(String decision) {
        Counter.builder(APPROVALS)
                .description("Approval outcomes: granted, rejected, vote (more approvers needed), refused, expired, "
                        + "superseded, withdrawn")
                .tag("decision", decision)
                .register(registry)
                .increment();
    }

    void waited(Duration waited, String decision) {
        Timer.builder(WAIT)
                .description("Time from an approval request to its grant or rejection")
                .tag("decision", decision)
                // buckets from a minute to two days: the StagecoachApprovalWaitLong alert takes a quantile of them
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMinutes(1))
                .maximumExpectedValue(Duration.ofDays(2))
                .register(registry)
                .record(waited);
    }

    /** This replica ran an expiry sweep (only the replica that leads does, ADR 22). */
    void swept() {
        Counter.builder(SWEEPS)
                .description("Expiry sweeps this replica ran; only the replica that leads runs them")
                .register(registry)
                .increment();
    }

    /** An emergency override was granted: an alert, every time. */
    void overridden() {
        Counter.builder(OVERRIDE)
                .description("Approvals granted by an emergency override")
                .register(registry)
                .increment();
    }

    /** A decision refused and audited as approval.refused. */
    void refused(ApprovalRefused.Reason reason) {
        refused(reason.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** A decision refused before the policy, on the same meter the other inboxes use. */
    void refused(String reason) {
        Counter.builder(InboundEvents.REFUSED_METER)
                .description("Deliveries refused before handling, by event type and reason")
                .tag("type", EventType.APPROVAL_DECIDED.eventName())
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
