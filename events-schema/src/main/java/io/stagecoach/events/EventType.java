package io.stagecoach.events;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every pipeline event type. The wire names (CloudEvents {@code type}, routing keys, queue
 * suffixes, schema files) are all derived from {@code subject} and {@code outcome}, so they
 * cannot drift apart.
 */
public enum EventType {

    BUILD_COMPLETED("build", "completed", BuildCompleted.class),
    PROMOTION_REQUESTED("promotion", "requested", PromotionRequested.class),
    PROMOTION_BLOCKED("promotion", "blocked", PromotionBlocked.class),
    DEPLOYMENT_COMPLETED("deployment", "completed", DeploymentCompleted.class),
    DEPLOYMENT_FAILED("deployment", "failed", DeploymentFailed.class),
    SMOKETEST_PASSED("smoketest", "passed", SmokeTestPassed.class),
    SMOKETEST_FAILED("smoketest", "failed", SmokeTestFailed.class),
    APPROVAL_REQUESTED("approval", "requested", ApprovalRequested.class),
    /** The gated environment's approval service received a request: its own clock starts here. */
    APPROVAL_OPENED("approval", "opened", ApprovalOpened.class),
    APPROVAL_DECIDED("approval", "decided", ApprovalDecided.class),
    APPROVAL_GRANTED("approval", "granted", ApprovalGranted.class),
    APPROVAL_REJECTED("approval", "rejected", ApprovalRejected.class),
    /** A decision that was not accepted (forged, unauthorised, stale): audited, never acted on. */
    APPROVAL_REFUSED("approval", "refused", ApprovalRefused.class),
    APPROVAL_EXPIRED("approval", "expired", ApprovalExpired.class),
    ALERT_FIRING("alert", "firing", AlertFiring.class),
    ROLLBACK_REQUESTED("rollback", "requested", RollbackRequested.class),
    ROLLBACK_COMPLETED("rollback", "completed", RollbackCompleted.class),
    ROLLBACK_FAILED("rollback", "failed", RollbackFailed.class),
    /** What the ledger knows of one service, kept past the audit stream's retention. */
    LEDGER_CHECKPOINTED("ledger", "checkpointed", LedgerCheckpointed.class),
    /**
     * A release held in one environment may no longer enter the next: addressed to the next environment, published
     * by the rollback service of the one before it.
     */
    RELEASE_WITHDRAWN("release", "withdrawn", ReleaseWithdrawn.class),
    /** An operator lifted a rollback's hold on a release: it may be promoted into that environment again. */
    HOLD_RELEASED("hold", "released", HoldReleased.class),
    /** What runs in an environment is not what its ledger recorded (published by its promotion service). */
    DRIFT_DETECTED("drift", "detected", DriftDetected.class),
    /** What runs in an environment is again what its ledger recorded. */
    DRIFT_CLEARED("drift", "cleared", DriftCleared.class),
    /** A request arrived while its environment is frozen: the release waits, and goes ahead when the freeze ends. */
    PROMOTION_FROZEN("promotion", "frozen", PromotionFrozen.class),
    /** An operator stopped the line: the environment takes no promotion until it restarts. */
    LINE_STOPPED("line", "stopped", LineStopped.class),
    /** An operator restarted a stopped line. */
    LINE_RESTARTED("line", "restarted", LineRestarted.class);

    /** Prefix of every CloudEvents {@code type}. */
    public static final String TYPE_PREFIX = "io.stagecoach.";

    /** Version suffix of every CloudEvents {@code type}. */
    public static final String TYPE_VERSION = ".v1";

    private final String subject;
    private final String outcome;
    private final Class<? extends EventData> dataType;

    EventType(String subject, String outcome, Class<? extends EventData> dataType) {
        this.subject = subject;
        this.outcome = outcome;
        this.dataType = dataType;
    }

    public String subject() {
        return subject;
    }

    public String outcome() {
        return outcome;
    }

    /** {@code build.completed} */
    public String eventName() {
        return subject + "." + outcome;
    }

    /** CloudEvents type: {@code io.stagecoach.build.completed.v1} */
    public String type() {
        return TYPE_PREFIX + eventName() + TYPE_VERSION;
    }

    /** Routing key {@code <subject>.<outcome>.<environment>}, e.g. {@code build.completed.dev}. */
    public String routingKey(String environment) {
        return eventName() + "." + environment;
    }

    /** Queue suffix of an inbox: {@code build-completed} (inbox {@code <service>.build-completed}). */
    public String queueSuffix() {
        return subject + "-" + outcome;
    }

    /** The record carried in {@code data} of an event of this type. */
    public Class<? extends EventData> dataType() {
        return dataType;
    }

    /** Classpath location of this type's JSON Schema, shipped in the jar. */
    public String schemaResource() {
        return "/io/stagecoach/events/schemas/" + eventName() + TYPE_VERSION + ".schema.json";
    }

    /** Classpath location of this type's example event, shipped in the jar. */
    public String exampleResource() {
        return "/io/stagecoach/events/examples/" + eventName() + TYPE_VERSION + ".json";
    }

    public static Optional<EventType> fromType(String type) {
        return Arrays.stream(values()).filter(t -> t.type().equals(type)).findFirst();
    }

    public static Optional<EventType> fromEventName(String eventName) {
        String wanted = eventName == null ? "" : eventName.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.eventName().equals(wanted)).findFirst();
    }
}
