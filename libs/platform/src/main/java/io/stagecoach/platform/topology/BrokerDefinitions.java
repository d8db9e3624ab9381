package io.stagecoach.platform.topology;

import static io.stagecoach.events.BrokerNames.AUDIT_STREAM;
import static io.stagecoach.events.BrokerNames.DEAD_LETTER_EXCHANGE;
import static io.stagecoach.events.BrokerNames.DEAD_LETTER_SUFFIX;
import static io.stagecoach.events.BrokerNames.DELIVERY_LIMIT;
import static io.stagecoach.events.BrokerNames.EVENTS_EXCHANGE;
import static io.stagecoach.events.BrokerNames.REPLAY_EXCHANGE;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Definitions.Binding;
import io.stagecoach.platform.topology.Definitions.Exchange;
import io.stagecoach.platform.topology.Definitions.Parameter;
import io.stagecoach.platform.topology.Definitions.Permission;
import io.stagecoach.platform.topology.Definitions.Queue;
import io.stagecoach.platform.topology.Definitions.TopicPermission;
import io.stagecoach.platform.topology.Definitions.User;
import io.stagecoach.platform.topology.Definitions.Vhost;

/**
 * The broker topology an environments file asks for: per environment vhost, the exchanges, one
 * quorum inbox with its dead-letter queue per consumer and event type that someone may publish there
 * ({@link PublishingRights#inboxes}), the audit stream, the hand-off queue and shovel into the next
 * environment, and one least-privilege user per principal that runs there. Nothing for a service where it
 * does not run: every quorum queue costs the broker file handles whether or not anything ever arrives.
 */
public final class BrokerDefinitions {

    public static final String SHOVEL_COMPONENT = "shovel";
    /**
     * The chat bot's queue behind a manual gate: every request that waits for a decision there and every outcome,
     * as the approval service published them, for the bot to consume with its own credential.
     */
    public static final String CHATOPS_FEED = "chatops.approvals";
    /** What the bot's queue keeps while no bot reads it; the oldest go first (the audit stream keeps them all). */
    static final int CHATOPS_FEED_LENGTH = 10_000;
    static final List<EventType> CHATOPS_FEED_TYPES = List.of(EventType.APPROVAL_OPENED, EventType.APPROVAL_GRANTED,
            EventType.APPROVAL_REJECTED, EventType.APPROVAL_REFUSED, EventType.APPROVAL_EXPIRED);
    /** Every stream and queue binding that takes all events of a vhost. */
    public static final String ALL_EVENTS = "#";

    private BrokerDefinitions() {
    }

    public static Definitions plan(Environments environments) {
        PublishingRights rights = PublishingRights.of(environments);
        List<Vhost> vhosts = new ArrayList<>();
        List<User> users = new ArrayList<>();
        List<Permission> permissions = new ArrayList<>();
        List<TopicPermission> topicPermissions = new ArrayList<>();
        List<Parameter> parameters = new ArrayList<>();
        List<Queue> queues = new ArrayList<>();
        List<Exchange> exchanges = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();

        for (Environment env : environments.all()) {
            String vhost = env.vhost();
            vhosts.add(new Vhost(vhost));
            exchanges.add(topicExchange(EVENTS_EXCHANGE, vhost));
            exchanges.add(topicExchange(DEAD_LETTER_EXCHANGE, vhost));
            exchanges.add(new Exchange(REPLAY_EXCHANGE, vhost, "direct", true, false, false, Map.of()));

            for (Principal service : rights.principalsIn(env.name())) {
                for (EventType type : rights.inboxes(service, env.name())) {
                    String inbox = BrokerNames.inboxQueue(service.id(), type);
                    queues.add(new Queue(inbox, vhost, true, false, inboxArguments(inbox)));
                    bindings.add(toQueue(EVENTS_EXCHANGE, vhost, inbox, type.routingKey(env.name())));
                    String deadLetters = BrokerNames.deadLetterQueue(inbox);
                    queues.add(new Queue(deadLetters, vhost, true, false, Map.of("x-queue-type", "quorum")));
                    bindings.add(toQueue(DEAD_LETTER_EXCHANGE, vhost, deadLetters, inbox));
                    // a replay of the dead letters arrives under the inbox's own name; nobody may publish there
                    bindings.add(toQueue(REPLAY_EXCHANGE, vhost, inbox, inbox));
                }
            }

            queues.add(new Queue(AUDIT_STREAM, vhost, true, false,
                    ordered("x-queue-type", "stream", "x-max-age", maxAge(env.auditRetention()))));
            bindings.add(toQueue(EVENTS_EXCHANGE, vhost, AUDIT_STREAM, ALL_EVENTS));

            Optional<Environment> next = environments.next(env.name());
            next.ifPresent(n -> {
                String handoff = BrokerNames.handoffQueue(n.name());
                queues.add(new Queue(handoff, vhost, true, false, Map.of("x-queue-type", "quorum")));
                bindings.add(toQueue(EVENTS_EXCHANGE, vhost, handoff, "*.*." + n.name()));
                parameters.add(new Parameter(shovel(vhost, handoff, n.vhost()), vhost, SHOVEL_COMPONENT,
                        BrokerNames.handoffShovel(n.name())));
            });

            if (rights.runsIn(Principal.CHATOPS, env.name())) {
                // the chat bot's own read path: what waits for a decision here, and how each ended
                queues.add(new Queue(CHATOPS_FEED, vhost, true, false, ordered("x-queue-type", "quorum",
                        "x-max-length", CHATOPS_FEED_LENGTH, "x-overflow", "drop-head")));
                CHATOPS_FEED_TYPES.forEach(type -> bindings.add(toQueue(EVENTS_EXCHANGE, vhost, CHATOPS_FEED,
                        type.routingKey(env.name()))));
            }

            for (Principal principal : rights.principalsIn(env.name())) {
                String user = principal.userIn(vhost);
                // viewers log in to the management UI, which shows them only their environment's vhost
                users.add(new User(user, "", "rabbit_password_hashing_sha256",
                        principal == Principal.VIEWER ? "management" : ""));
                permissions.add(permission(principal, user, env, rights));
                topicPermissions.add(new TopicPermission(user, vhost, EVENTS_EXCHANGE,
                        Regexes.anyOf(Regexes.routingKeyFragments(rights.grants(principal, env.name()))),
                        Regexes.NOTHING));
                if (principal.isService()) {
                    // a consumer dead-letters with a reason by republishing to the DLX under its own inbox's name
                    topicPermissions.add(new TopicPermission(user, vhost, DEAD_LETTER_EXCHANGE,
                            Regexes.anyOfLiterals(inboxes(rights, principal, env)), Regexes.NOTHING));
                }
            }
        }
        return new Definitions(users, vhosts, permissions, topicPermissions, parameters, queues, exchanges, bindings);
    }

    /**
     * Whether a queue of this name is one Stagecoach declares in some environment: an inbox of a service for a type
     * it consumes, its dead-letter queue, a hand-off queue or the audit stream. What the provisioner may call its
     * own when it finds one the plan no longer has.
     */
    public static boolean isStagecoachQueue(String name) {
        if (name.equals(AUDIT_STREAM) || name.equals(CHATOPS_FEED) || name.startsWith(BrokerNames.HANDOFF_PREFIX)) {
            return true;
        }
        String inbox = name.endsWith(DEAD_LETTER_SUFFIX)
                ? name.substring(0, name.length() - DEAD_LETTER_SUFFIX.length()) : name;
        for (Principal service : Principal.values()) {
            for (EventType type : service.consumes()) {
                if (BrokerNames.inboxQueue(service.id(), type).equals(inbox)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a queue of this name is a service's inbox for a type it consumes (not its dead-letter queue). */
    public static boolean isInbox(String name) {
        for (Principal service : Principal.values()) {
            for (EventType type : service.consumes()) {
                if (BrokerNames.inboxQueue(service.id(), type).equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The principal whose user in {@code vhost} is named {@code user} ({@code <vhost>-<principal>}), if any. */
    public static Optional<Principal> principalOf(String user, String vhost) {
        for (Principal principal : Principal.values()) {
            if (principal.userIn(vhost).equals(user)) {
                return Optional.of(principal);
            }
        }
        return Optional.empty();
    }

    /** RabbitMQ's {@code x-max-age}: a number and one unit of Y, M, D, h, m, s. */
    static String maxAge(Duration retention) {
        long seconds = retention.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "D";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /**
     * The definition of a shovel that moves, within {@code vhost}, as many messages as {@code queue} holds when it
     * starts into {@code exchange}, then deletes itself. With {@code routingKey} null each message keeps its own;
     * a local shovel keeps every message's {@code user_id} and headers either way.
     */
    static Map<String, Object> moveOnce(String vhost, String queue, String exchange, String routingKey) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("src-protocol", "amqp091");
        value.put("src-uri", directUri(vhost));
        value.put("src-queue", queue);
        value.put("dest-protocol", "amqp091");
        value.put("dest-uri", directUri(vhost));
        value.put("dest-exchange", exchange);
        if (routingKey != null) {
            value.put("dest-exchange-key", routingKey);
        }
        value.put("ack-mode", "on-confirm");
        // what comes back into the queue while it moves (a replay that fails again) is not moved a second time
        value.put("src-delete-after", "queue-length");
        return value;
    }

    /** A direct URI to a vhost of this node: the shovel needs no password. */
    static String directUri(String vhost) {
        return "amqp:///" + URLEncoder.encode(vhost, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Permission permission(Principal principal, String user, Environment env, PublishingRights rights) {
        List<String> resources = new ArrayList<>();
        List<String> inboxes = inboxes(rights, principal, env);
        String ownQueues = inboxes.isEmpty() ? null
                : Regexes.group(inboxes) + "(" + Regexes.quote(DEAD_LETTER_SUFFIX) + ")?";
        // a service also declares its exclusive leader queue, and nothing else
        String leader = principal.isService() && ownQueues != null
                ? Regexes.quote(BrokerNames.leaderQueue(principal.id())) : null;
        String configure = ownQueues == null ? Regexes.NOTHING
                : leader == null ? "^" + ownQueues + "$" : "^(" + ownQueues + "|" + leader + ")$";

        if (ownQueues != null) {
            resources.add(ownQueues);
        }
        if (!rights.grants(principal, env.name()).isEmpty()) {
            resources.add(Regexes.quote(EVENTS_EXCHANGE));
        }
        if (principal.isService()) {
            resources.add(Regexes.quote(DEAD_LETTER_EXCHANGE));
        }
        String write = Regexes.anyOf(resources);

        List<String> readable = new ArrayList<>();
        if (ownQueues != null) {
            readable.add(ownQueues);
            // services rebuild their view of the environment from the audit stream
            readable.add(Regexes.quote(AUDIT_STREAM));
        }
        if (leader != null) {
            readable.add(leader);
        }
        if (principal == Principal.CHATOPS) {
            readable.add(Regexes.quote(CHATOPS_FEED));
        }
        if (principal == Principal.OPERATOR) {
            readable.add(Regexes.quote(AUDIT_STREAM));
            List<String> everyInbox = rights.principalsIn(env.name()).stream()
                    .flatMap(service -> inboxes(rights, service, env).stream()).toList();
            if (!everyInbox.isEmpty()) {
                readable.add(Regexes.group(everyInbox) + Regexes.quote(DEAD_LETTER_SUFFIX));
            }
        }
        return new Permission(user, env.vhost(), configure, write, Regexes.anyOf(readable));
    }

    /** The inbox names of {@code principal} in {@code env}; none for people and tools, nor where it does not run. */
    private static List<String> inboxes(PublishingRights rights, Principal principal, Environment env) {
        return rights.inboxes(principal, env.name()).stream().map(t -> BrokerNames.inboxQueue(principal.id(), t))
                .toList();
    }

    private static Map<String, Object> inboxArguments(String inbox) {
        return ordered(
                "x-queue-type", "quorum",
                "x-delivery-limit", DELIVERY_LIMIT,
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key", inbox,
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish",
                // one replica consumes at a time, the others wait as hot standbys (ADR 22)
                "x-single-active-consumer", true);
    }

    private static Map<String, Object> shovel(String vhost, String handoffQueue, String nextVhost) {
        // no dest-exchange-key: the shovel keeps each message's routing key (and its user_id)
        return ordered(
                "src-protocol", "amqp091",
                "src-uri", directUri(vhost),
                "src-queue", handoffQueue,
                "dest-protocol", "amqp091",
                "dest-uri", directUri(nextVhost),
                "dest-exchange", EVENTS_EXCHANGE,
                "ack-mode", "on-confirm",
                "src-delete-after", "never");
    }

    private static Exchange topicExchange(String name, String vhost) {
        return new Exchange(name, vhost, "topic", true, false, false, Map.of());
    }

    private static Binding toQueue(String exchange, String vhost, String queue, String routingKey) {
        return new Binding(exchange, vhost, queue, "queue", routingKey, Map.of());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
