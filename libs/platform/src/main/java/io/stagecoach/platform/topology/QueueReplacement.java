package io.stagecoach.platform.topology;

import io.stagecoach.platform.topology.Definitions.Parameter;
import io.stagecoach.platform.topology.Definitions.Queue;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.stagecoach.platform.topology.ManagementClient.path;

/**
 * Replaces a queue of the plan that exists with other arguments (RabbitMQ never changes a queue's arguments): a
 * hand-off queue a shovel declared classic where the plan has a quorum queue (ADR 21), an inbox declared before
 * the plan gave it a single active consumer (ADR 22). Its messages move first, nothing is lost:
 *
 * <ol>
 *   <li>the shovels of the vhost that read the queue are deleted, and are gone before anything else happens (a
 *       shovel declares its source queue again when it is missing); provisioning's last step puts the plan's back.
 *       Nothing else is stopped;</li>
 *   <li>a waiting copy, {@code <queue>.replacing}, is declared as planned and takes over the old queue's bindings
 *       (bound first, the old binding removed after: an event published in between reaches both, and its id makes
 *       the second a duplicate its consumer skips), so what is published meanwhile waits there;</li>
 *   <li>the old queue's messages are moved, with their routing keys and {@code user_id}, by a shovel of their own
 *       through a fanout exchange into the waiting copy;</li>
 *   <li>the old queue is deleted only once the broker finds it empty and, when something consumes it, nothing in it
 *       is still unacknowledged; the planned queue is declared, takes the bindings over from the waiting copy the
 *       same way, and the waiting messages are moved into it. RabbitMQ 3.10 does not cancel the consumers of a
 *       quorum queue it deletes, so the connections that consumed the old queue (a service still running) are
 *       closed once the planned queue exists: their clients reconnect and consume it by name, with nothing
 *       unacknowledged left behind (the old queue went only once nothing in it was).</li>
 * </ol>
 * A step that fails leaves the messages in the old queue or the waiting one (never in neither), and a second
 * provisioning picks up from there: the waiting queue is emptied into the planned one first.
 */
final class QueueReplacement {

    static final String WAITING_SUFFIX = ".replacing";
    private static final String SINGLE_ACTIVE_CONSUMER = "x-single-active-consumer";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    /** The management API's statistics are sampled every 5 s: a count read this long after a move is from after it. */
    private static final Duration STATISTICS_INTERVAL = Duration.ofMillis(5_500);

    private final ManagementClient management;
    private final Consumer<String> progress;

    QueueReplacement(ManagementClient management, Consumer<String> progress) {
        this.management = management;
        this.progress = progress;
    }

    /** Whether {@code queue} is the source of a shovel in {@code shovels} (the plan's, of its vhost). */
    static boolean isHandoff(Queue queue, List<Parameter> shovels) {
        return shovels.stream().anyMatch(p -> "shovel".equals(p.component()) && queue.vhost().equals(p.vhost())
                && queue.name().equals(p.value().get("src-queue")));
    }

    /** The argument names whose values differ between the planned {@code queue} and the {@code existing} one. */
    static Set<String> differingArguments(Queue queue, JsonNode existing) {
        JsonNode want = Definitions.JSON.valueToTree(queue.arguments());
        JsonNode have = existing.path("arguments");
        Set<String> names = new TreeSet<>(want.propertyNames());
        if (have.isObject()) {
            names.addAll(have.propertyNames());
        }
        names.removeIf(name -> Provisioner.sameJson(want.path(name), have.path(name)));
        return names;
    }

    /** Replaces {@code existing} with the planned {@code queue}; returns what it did, for the progress line. */
    String replace(Queue queue, JsonNode existing, String label) {
        String vhost = queue.vhost();
        String old = existing.path("type").asString("classic");
        String planned = String.valueOf(queue.arguments().get("x-queue-type"));
        Set<String> differing = differingArguments(queue, existing);
        boolean consumed = existing.path("consumers").asLong(0) > 0;
        boolean peekable = !existing.path("arguments").path(SINGLE_ACTIVE_CONSUMER).asBoolean(false);
        stopShovelsReading(vhost, queue.name());
        String waiting = queue.name() + WAITING_SUFFIX;
        String through = throughExchange(queue);
        management.put(path("api", "exchanges", vhost, through),
                Map.of("type", "fanout", "durable", true, "auto_delete", false, "internal", false, "arguments", Map.of()));
        management.put(path("api", "queues", vhost, waiting),
                Map.of("durable", true, "auto_delete", false, "arguments", waitingArguments(queue)));
        carryBindings(vhost, queue.name(), waiting, through);
        bind(vhost, through, waiting);
        long moved = move(vhost, queue.name(), through, label);
        if (consumed || !peekable) {
            awaitNothingUnacknowledged(vhost, queue.name());
        }
        List<String> consumers = consumerConnections(vhost, queue.name());
        if (peekable) {
            deleteIfEmpty(vhost, queue.name());
        } else {
            management.delete(path("api", "queues", vhost, queue.name()));
        }
        management.put(path("api", "queues", vhost, queue.name()),
                Map.of("durable", queue.durable(), "auto_delete", queue.autoDelete(), "arguments", queue.arguments()));
        carryBindings(vhost, waiting, queue.name(), through);
        // RabbitMQ 3.10 does not cancel the consumers of a quorum queue it deletes: they would wait on it forever.
        // Their connections are closed, and their clients reconnect and consume the planned queue by name.
        for (String connection : consumers) {
            management.delete(path("api", "connections", connection));
        }
        unbind(vhost, through, waiting);
        bind(vhost, through, queue.name());
        move(vhost, waiting, through, label);
        deleteIfEmpty(vhost, waiting);
        management.delete(path("api", "exchanges", vhost, through));
        String count = (moved == 1 ? "1 message" : moved + " messages")
                + (consumers.isEmpty() ? "" : "; closed " + (consumers.size() == 1 ? "the connection" : "the "
                        + consumers.size() + " connections") + " that consumed the old queue, to reconnect to the "
                        + "new one: " + String.join(", ", consumers));
        return old.equals(planned)
                ? "replaced the " + old + " queue " + queue.name() + ", whose arguments differed from the plan ("
                        + String.join(", ", differing) + "), with the planned one (" + count + " moved into it)"
                : "replaced the " + old + " queue " + queue.name() + " with a " + planned + " one (" + count
                        + " moved into it)";
    }

    /**
     * Finishes a replacement that stopped halfway: moves what the waiting copy of {@code queue} holds into it (the
     * planned queue, declared by then), with the bindings the copy took over. Does nothing without a waiting copy.
     */
    void resume(Queue queue, String label) {
        String vhost = queue.vhost();
        String waiting = queue.name() + WAITING_SUFFIX;
        if (management.get(path("api", "queues", vhost, waiting)).isEmpty()) {
            return;
        }
        String through = throughExchange(queue);
        management.put(path("api", "exchanges", vhost, through),
                Map.of("type", "fanout", "durable", true, "auto_delete", false, "internal", false, "arguments", Map.of()));
        carryBindings(vhost, waiting, queue.name(), through);
        unbind(vhost, through, waiting);
        bind(vhost, through, queue.name());
        long moved = move(vhost, waiting, through, label);
        deleteIfEmpty(vhost, waiting);
        management.delete(path("api", "exchanges", vhost, through));
        progress.accept(label + ": finished replacing " + queue.name() + " (" + moved + " waiting messages moved into it)");
    }

    /**
     * The planned arguments without a single active consumer: RabbitMQ refuses {@code basic.get} on a quorum queue
     * with one, and the waiting copy is deleted only after a peek found it empty.
     */
    private static Map<String, Object> waitingArguments(Queue queue) {
        Map<String, Object> arguments = new LinkedHashMap<>(queue.arguments());
        arguments.remove(SINGLE_ACTIVE_CONSUMER);
        return arguments;
    }

    private static String throughExchange(Queue queue) {
        return "stagecoach.replacing." + queue.name();
    }

    /** The names of the connections with a consumer on {@code queue}. */
    private List<String> consumerConnections(String vhost, String queue) {
        return management.list(path("api", "consumers", vhost)).stream()
                .filter(c -> queue.equals(c.path("queue").path("name").asString("")))
                .map(c -> c.path("channel_details").path("connection_name").asString(""))
                .filter(name -> !name.isEmpty()).distinct().toList();
    }

    /** Deletes the shovels of {@code vhost} that read {@code queue}, and waits until none of them runs any more. */
    private void stopShovelsReading(String vhost, String queue) {
        List<String> stopped = new ArrayList<>();
        for (JsonNode shovel : management.list(path("api", "parameters", "shovel", vhost))) {
            if (queue.equals(shovel.path("value").path("src-queue").asString(""))) {
                stopped.add(shovel.path("name").asString());
                management.delete(path("api", "parameters", "shovel", vhost, shovel.path("name").asString()));
            }
        }
        if (stopped.isEmpty()) {
            return;
        }
        await("the shovels reading " + queue + " in " + vhost + " to stop", () -> management
                .list(path("api", "shovels", vhost)).stream()
                .noneMatch(s -> stopped.contains(s.path("name").asString(""))
                        || queue.equals(s.path("src_queue").asString(""))));
    }

    /**
     * Gives {@code to} every binding {@code from} has (but the default exchange's and the replacement's own), then
     * removes them from {@code from}: bound first, so that nothing published meanwhile reaches neither.
     */
    private void carryBindings(String vhost, String from, String to, String through) {
        List<JsonNode> bindings = management.list(path("api", "queues", vhost, from, "bindings")).stream()
                .filter(b -> !b.path("source").asString("").isEmpty() && !through.equals(b.path("source").asString()))
                .toList();
        for (JsonNode binding : bindings) {
            management.post(path("api", "bindings", vhost, "e", binding.path("source").asString(), "q", to),
                    Map.of("routing_key", binding.path("routing_key").asString(""),
                            "arguments", Definitions.JSON.convertValue(binding.path("arguments"), Map.class)));
        }
        for (JsonNode binding : bindings) {
            management.delete(path("api", "bindings", vhost, "e", binding.path("source").asString(), "q", from,
                    binding.path("properties_key").asString("~")));
        }
    }

    /**
     * Moves what {@code from} holds through {@code through} with a shovel that deletes itself once it moved them;
     * returns how many the queue held when it started (as the management API counts them).
     */
    private long move(String vhost, String from, String through, String label) {
        long held = management.get(path("api", "queues", vhost, from))
                .map(q -> q.path("messages").asLong(0)).orElse(0L);
        String name = "stagecoach-move-" + from;
        // no routing key: each message keeps its own
        Map<String, Object> value = BrokerDefinitions.moveOnce(vhost, from, through, null);
        management.put(path("api", "parameters", "shovel", vhost, name),
                Map.of("component", "shovel", "vhost", vhost, "name", name, "value", value));
        await("the messages of " + from + " in " + vhost + " to move",
                () -> management.get(path("api", "parameters", "shovel", vhost, name)).isEmpty());
        if (held > 0) {
            progress.accept(label + ": moved " + held + " messages out of " + from);
        }
        return held;
    }

    /**
     * Waits until the management API, in statistics sampled after the move, counts nothing in {@code queue}: a
     * consumer may still hold a delivery it took before the move, and deleting the queue would drop it unacked.
     */
    private void awaitNothingUnacknowledged(String vhost, String queue) {
        long movedAt = System.nanoTime();
        await("the consumers of " + queue + " in " + vhost + " to acknowledge what they hold", () -> {
            if (System.nanoTime() - movedAt < STATISTICS_INTERVAL.toNanos()) {
                return false;
            }
            return management.get(path("api", "queues", vhost, queue))
                    .map(q -> q.path("messages").isNumber() && q.path("messages").asLong() == 0
                            && q.path("messages_unacknowledged").asLong(0) == 0)
                    .orElse(true);
        });
    }

    /**
     * Deletes {@code queue} once the broker itself says it holds nothing: a peek that puts back what it took (the
     * management API's message counts lag by seconds; quorum queues refuse {@code if-empty}).
     */
    private void deleteIfEmpty(String vhost, String queue) {
        String where = path("api", "queues", vhost, queue);
        List<JsonNode> left = management.postForList(where + "/get",
                Map.of("count", 1, "ackmode", "reject_requeue_true", "encoding", "auto"));
        if (!left.isEmpty()) {
            throw new IllegalStateException(queue + " in " + vhost + " still holds messages after they were moved; "
                    + "provision again to move them");
        }
        management.delete(where);
    }

    private void bind(String vhost, String exchange, String queue) {
        management.post(path("api", "bindings", vhost, "e", exchange, "q", queue),
                Map.of("routing_key", "", "arguments", Map.of()));
    }

    private void unbind(String vhost, String exchange, String queue) {
        for (JsonNode binding : management.list(path("api", "bindings", vhost, "e", exchange, "q", queue))) {
            management.delete(path("api", "bindings", vhost, "e", exchange, "q", queue,
                    binding.path("properties_key").asString("~")));
        }
    }

    private static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + STEP_TIMEOUT.toSeconds() + " s for " + what
                        + "; provision again to finish (messages stay in the old queue or in its "
                        + WAITING_SUFFIX + " copy)");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
