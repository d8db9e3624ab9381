package io.stagecoach.platform.topology;

import static io.stagecoach.platform.topology.ManagementClient.path;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import tools.jackson.databind.JsonNode;

/**
 * An environment's dead letters, read and replayed through the management API. Reading peeks: every message taken
 * is put back. A replay moves an inbox's dead-letter queue, as long as it was when the replay began, into
 * {@link BrokerNames#REPLAY_EXCHANGE} under the inbox's name with a shovel that deletes itself afterwards; the shovel
 * keeps each message's {@code user_id} and headers, so the consumer knows where it first came from (its routing key
 * and publisher, which its provenance check judges again) and skips what it already handled (event ids are
 * deterministic). What fails again comes back to the dead-letter queue with its new reason.
 */
public final class DeadLetterQueues {

    /** How long one inbox's replay may take before it is reported as stuck. */
    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(60);

    /** One dead letter, as its headers and body describe it. */
    public record DeadLetter(String messageId, String type, String subject, String version, String routingKey,
            String publisher, String reasonClass, String reason, String deadLetteredAt, long count) {
    }

    /** An inbox's dead letters: how many its dead-letter queue holds, and the first of them. */
    public record InboxDeadLetters(String inbox, long total, List<DeadLetter> first) {
    }

    /** What a replay moved: per inbox, how many dead letters went back. */
    public record Replayed(String inbox, long moved) {
    }

    private final ManagementClient management;

    public DeadLetterQueues(ManagementClient management) {
        this.management = management;
    }

    /** The inboxes of {@code environment} (whose dead-letter queues exist by the plan), in plan order. */
    public static List<String> inboxes(Environments environments, Environment environment) {
        List<String> inboxes = new ArrayList<>();
        for (Definitions.Queue queue : BrokerDefinitions.plan(environments).queues()) {
            if (queue.vhost().equals(environment.vhost()) && queue.name().endsWith(BrokerNames.DEAD_LETTER_SUFFIX)) {
                inboxes.add(queue.name().substring(0, queue.name().length() - BrokerNames.DEAD_LETTER_SUFFIX.length()));
            }
        }
        return inboxes;
    }

    /** Peeks at up to {@code limit} dead letters of {@code inbox} in {@code vhost}; all are put back. */
    public InboxDeadLetters peek(String vhost, String inbox, int limit) {
        String queue = BrokerNames.deadLetterQueue(inbox);
        if (management.get(path("api", "queues", vhost, queue)).isEmpty()) {
            return new InboxDeadLetters(inbox, 0, List.of());
        }
        List<JsonNode> messages = management.postForList(path("api", "queues", vhost, queue, "get"),
                Map.of("count", Math.max(1, limit), "ackmode", "reject_requeue_true", "encoding", "auto",
                        "truncate", 1_000_000));
        if (messages.isEmpty()) {
            return new InboxDeadLetters(inbox, 0, List.of());
        }
        long total = messages.get(0).path("message_count").asLong(0) + 1;
        List<DeadLetter> letters = new ArrayList<>();
        for (JsonNode message : messages.subList(0, Math.min(limit, messages.size()))) {
            letters.add(describe(message));
        }
        return new InboxDeadLetters(inbox, total, letters);
    }

    /**
     * Moves the dead letters of {@code inbox} back into it, and returns once the shovel moving them is done; an
     * empty dead-letter queue is left alone.
     *
     * @throws IllegalStateException when a replay of that inbox is running already, or did not finish in time
     */
    public Replayed replay(String vhost, String inbox, Consumer<String> progress) {
        String name = BrokerNames.replayShovel(inbox);
        String shovel = path("api", "parameters", "shovel", vhost, name);
        if (management.get(shovel).isPresent()) {
            throw new IllegalStateException("a replay of " + inbox + " in " + vhost + " is running already (shovel "
                    + name + "); wait for it to end, or delete the shovel in the management UI if it is stuck");
        }
        long held = peek(vhost, inbox, 1).total();
        if (held == 0) {
            return new Replayed(inbox, 0);
        }
        Map<String, Object> value = BrokerDefinitions.moveOnce(vhost, BrokerNames.deadLetterQueue(inbox),
                BrokerNames.REPLAY_EXCHANGE, inbox);
        management.put(shovel, Map.of("component", "shovel", "vhost", vhost, "name", name, "value", value));
        progress.accept("moving " + held + " dead letter" + (held == 1 ? "" : "s") + " of " + inbox
                + " back into it (shovel " + name + ")");
        long deadline = System.nanoTime() + REPLAY_TIMEOUT.toNanos();
        while (shovelStillThere(shovel)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the shovel " + name + " in " + vhost + " did not finish moving the "
                        + "dead letters of " + inbox + " within " + REPLAY_TIMEOUT.toSeconds() + " s; see its state in "
                        + "the management UI (Admin > Shovel Status)");
            }
            sleep(200);
        }
        return new Replayed(inbox, held);
    }

    /**
     * Whether the replay's shovel is still there. The shovel deletes itself once it moved the dead letters, and the
     * management API can answer a server error to a read at that moment: that is asked again, not a failed replay.
     */
    private boolean shovelStillThere(String shovel) {
        try {
            return management.get(shovel).isPresent();
        } catch (ManagementApiException e) {
            if (e.status() >= 500) {
                return true;
            }
            throw e;
        }
    }

    private static DeadLetter describe(JsonNode message) {
        JsonNode properties = message.path("properties");
        JsonNode headers = properties.path("headers");
        JsonNode body = body(message);
        return new DeadLetter(
                text(properties.path("message_id"), text(body.path("id"), null)),
                eventName(text(body.path("type"), null)),
                text(body.path("subject"), null),
                text(body.path("data").path("release").path("version"), null),
                text(headers.path(BrokerNames.ORIGINAL_ROUTING_KEY_HEADER), null),
                text(headers.path(BrokerNames.ORIGINAL_USER_HEADER), null),
                text(headers.path(BrokerNames.REASON_CLASS_HEADER), null),
                text(headers.path(BrokerNames.REASON_HEADER), deathReason(headers)),
                text(headers.path(BrokerNames.DEAD_LETTERED_AT_HEADER), null),
                headers.path(BrokerNames.DEAD_LETTER_COUNT_HEADER).asLong(1));
    }

    /** The body as JSON where it is; a missing node where it is not (an invalid event is listed all the same). */
    private static JsonNode body(JsonNode message) {
        String payload = message.path("payload").asString("");
        if ("base64".equals(message.path("payload_encoding").asString(""))) {
            try {
                payload = new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Definitions.JSON.missingNode();
            }
        }
        try {
            JsonNode node = Definitions.JSON.readTree(payload);
            return node == null || !node.isObject() ? Definitions.JSON.missingNode() : node;
        } catch (RuntimeException e) {
            return Definitions.JSON.missingNode();
        }
    }

    /** {@code promotion.requested} for its CloudEvents type; any other type as it is. */
    private static String eventName(String type) {
        for (EventType known : EventType.values()) {
            if (known.type().equals(type)) {
                return known.eventName();
            }
        }
        return type;
    }

    /** For a dead letter the broker moved: its {@code x-death} reason, e.g. {@code delivery_limit}. */
    private static String deathReason(JsonNode headers) {
        JsonNode deaths = headers.path("x-death");
        if (deaths.isArray() && !deaths.isEmpty()) {
            return "moved by RabbitMQ: " + deaths.get(0).path("reason").asString("?") + " in "
                    + deaths.get(0).path("queue").asString("?");
        }
        return null;
    }

    private static String text(JsonNode node, String otherwise) {
        return node.isValueNode() && !node.isNull() ? node.asString() : otherwise;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a replay", e);
        }
    }
}
