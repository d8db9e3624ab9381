package io.stagecoach.events;

import java.util.List;
import java.util.Set;

/**
 * Who talks to an environment's vhost. Each principal is one RabbitMQ user per environment,
 * named {@code <vhost>-<name>}. The tables here (who consumes what, who may publish what)
 * drive the generated broker definitions, the topic permissions and the consumers' producer checks.
 */
public enum Principal {

    /** Also publishes the builds CI posts to its signed webhook, as itself, into the first environment. */
    BUILD_COMPLETED("build-completed", true,
            List.of(EventType.BUILD_COMPLETED),
            // a refused build ends its run visibly with promotion.blocked (BUILD_REFUSED)
            Set.of(EventType.BUILD_COMPLETED, EventType.PROMOTION_REQUESTED, EventType.PROMOTION_BLOCKED)),
    /**
     * Also takes withdrawals from the previous environment's rollback service, through the shovel, compares what
     * runs with what its ledger recorded (drift), and parks what arrives while its environment is frozen.
     */
    PROMOTION("promotion", true,
            List.of(EventType.PROMOTION_REQUESTED, EventType.SMOKETEST_PASSED, EventType.RELEASE_WITHDRAWN),
            Set.of(EventType.PROMOTION_BLOCKED, EventType.DEPLOYMENT_COMPLETED, EventType.DEPLOYMENT_FAILED,
                    EventType.PROMOTION_REQUESTED, EventType.APPROVAL_REQUESTED, EventType.LEDGER_CHECKPOINTED,
                    EventType.DRIFT_DETECTED, EventType.DRIFT_CLEARED, EventType.PROMOTION_FROZEN)),
    /** Blocks a deployment that a newer one replaced before it was checked, so its run ends visibly. */
    SMOKE_TEST("smoke-test", true,
            List.of(EventType.DEPLOYMENT_COMPLETED),
            Set.of(EventType.SMOKETEST_PASSED, EventType.SMOKETEST_FAILED, EventType.PROMOTION_BLOCKED)),
    /**
     * Also withdraws a release it held from the next environment ({@code release.withdrawn.<next>}), and takes the
     * operator's lifts of its holds.
     */
    ROLLBACK("rollback", true,
            List.of(EventType.SMOKETEST_FAILED, EventType.DEPLOYMENT_FAILED, EventType.ALERT_FIRING,
                    EventType.ROLLBACK_REQUESTED, EventType.HOLD_RELEASED),
            // it puts back the last verified release itself: it asks promotion for nothing
            Set.of(EventType.ALERT_FIRING, EventType.ROLLBACK_COMPLETED, EventType.ROLLBACK_FAILED,
                    EventType.RELEASE_WITHDRAWN)),
    APPROVAL("approval", true,
            List.of(EventType.APPROVAL_REQUESTED, EventType.APPROVAL_DECIDED),
            Set.of(EventType.APPROVAL_OPENED, EventType.APPROVAL_GRANTED, EventType.APPROVAL_REJECTED, EventType.APPROVAL_REFUSED,
                    EventType.APPROVAL_EXPIRED, EventType.PROMOTION_REQUESTED)),
    /** CI systems: may publish builds into the first environment only. */
    CI("ci", false, List.of(), Set.of(EventType.BUILD_COMPLETED)),
    /** The chat bot and people deciding approvals: may publish decisions only. */
    CHATOPS("chatops", false, List.of(), Set.of(EventType.APPROVAL_DECIDED)),
    /** Operators using the CLI: may ask for a rollback, lift a hold, stop and restart the line, read the audit stream. */
    OPERATOR("operator", false, List.of(), Set.of(EventType.ROLLBACK_REQUESTED, EventType.HOLD_RELEASED,
            EventType.LINE_STOPPED, EventType.LINE_RESTARTED)),
    /** People looking at an environment's queues in the RabbitMQ management UI: may see, never read or touch. */
    VIEWER("viewer", false, List.of(), Set.of());

    private final String id;
    private final boolean service;
    private final List<EventType> consumes;
    private final Set<EventType> produces;

    Principal(String id, boolean service, List<EventType> consumes, Set<EventType> produces) {
        this.id = id;
        this.service = service;
        this.consumes = consumes;
        this.produces = produces;
    }

    /** The name used in users, queues and service folders: {@code build-completed}, {@code ci}. */
    public String id() {
        return id;
    }

    /** Whether this is one of the pipeline's own services (as opposed to CI, a bot or a person). */
    public boolean isService() {
        return service;
    }

    /** Event types this principal has an inbox for, in inbox order. */
    public List<EventType> consumes() {
        return consumes;
    }

    /** Event types this principal may publish (its topic permission decides into which environments). */
    public Set<EventType> produces() {
        return produces;
    }

    /** RabbitMQ user of this principal in a vhost: {@code <vhost>-<id>}, e.g. {@code dev-promotion}. */
    public String userIn(String vhost) {
        return vhost + "-" + id;
    }

    public static java.util.Optional<Principal> fromId(String id) {
        return java.util.Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
    }
}
