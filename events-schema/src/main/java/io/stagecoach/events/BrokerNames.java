package io.stagecoach.events;

/**
 * Names of the broker objects every environment vhost holds. Held against
 * {@code deploy/rabbitmq/definitions.json} by a test.
 */
public final class BrokerNames {

    /** Topic exchange carrying every pipeline event of an environment. */
    public static final String EVENTS_EXCHANGE = "stagecoach.events";

    /** Topic exchange for dead letters; a dead-letter queue binds with its inbox's name. */
    public static final String DEAD_LETTER_EXCHANGE = "stagecoach.events.dlx";

    /**
     * Direct exchange through which dead letters are replayed: each inbox binds it under its own name. No user may
     * publish to it; only a shovel an operator starts ({@code stagecoach dead-letters replay}) moves a dead-letter
     * queue into it, so a delivery that arrives through it came from that inbox's dead-letter queue.
     */
    public static final String REPLAY_EXCHANGE = "stagecoach.replay";

    /** Stream holding every event of an environment, in order: the audit log. */
    public static final String AUDIT_STREAM = "stagecoach.audit";

    /** Prefix of the queue holding events addressed to the next environment. */
    public static final String HANDOFF_PREFIX = "stagecoach.handoff.";

    /** Suffix of a dead-letter queue. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /** Suffix of a service's leader queue, see {@link #leaderQueue}. */
    public static final String LEADER_SUFFIX = ".leader";

    /** Header naming why a message was dead-lettered (human-readable). */
    public static final String REASON_HEADER = "x-stagecoach-reason";

    /** Header naming the queue a dead letter came from. */
    public static final String ORIGINAL_QUEUE_HEADER = "x-stagecoach-original-queue";

    /** Header naming the routing key a dead letter was first published with. */
    public static final String ORIGINAL_ROUTING_KEY_HEADER = "x-stagecoach-original-routing-key";

    /** Header naming the exchange a dead letter was first published to. */
    public static final String ORIGINAL_EXCHANGE_HEADER = "x-stagecoach-original-exchange";

    /** Header naming the broker-validated user that published the dead letter first. */
    public static final String ORIGINAL_USER_HEADER = "x-stagecoach-original-user-id";

    /** Header naming the class of a dead letter's reason: {@code invalid}, {@code refused} or {@code failed}. */
    public static final String REASON_CLASS_HEADER = "x-stagecoach-reason-class";

    /** Header with the instant (ISO-8601) a consumer dead-lettered the message. */
    public static final String DEAD_LETTERED_AT_HEADER = "x-stagecoach-dead-lettered-at";

    /** Header counting how often the message was dead-lettered, replays included. */
    public static final String DEAD_LETTER_COUNT_HEADER = "x-stagecoach-dead-letter-count";

    /** Content type of a structured-mode CloudEvent. */
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    /** Deliveries of one message before the broker dead-letters it (limit N gives N+1 deliveries). */
    public static final int DELIVERY_LIMIT = 5;

    private BrokerNames() {
    }

    /** Inbox of a consumer: {@code <service>.<subject>-<outcome>}, e.g. {@code promotion.smoketest-passed}. */
    public static String inboxQueue(String service, EventType type) {
        return service + "." + type.queueSuffix();
    }

    /** Dead-letter queue of an inbox: {@code <queue>.dlq}. */
    public static String deadLetterQueue(String queue) {
        return queue + DEAD_LETTER_SUFFIX;
    }

    /** Queue in an environment's vhost whose messages a shovel moves into {@code nextEnvironment}. */
    public static String handoffQueue(String nextEnvironment) {
        return HANDOFF_PREFIX + nextEnvironment;
    }

    /** Name of the shovel that replays the dead letters of {@code inbox} into it, once. */
    public static String replayShovel(String inbox) {
        return "stagecoach-replay-" + inbox;
    }

    /**
     * Exclusive queue a replica of {@code service} holds while it is the one that runs the service's sweeps and
     * timers in its environment: {@code <service>.leader}, e.g. {@code approval.leader}. Never provisioned: the
     * broker deletes it with the connection that declared it, and a standby's next declaration takes it.
     */
    public static String leaderQueue(String service) {
        return service + LEADER_SUFFIX;
    }

    /** Name of the shovel (in the source vhost) that moves hand-offs into {@code nextEnvironment}. */
    public static String handoffShovel(String nextEnvironment) {
        return "stagecoach-handoff-to-" + nextEnvironment;
    }
}
