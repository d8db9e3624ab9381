package io.stagecoach.platform.topology;

import io.stagecoach.platform.topology.Definitions.Parameter;
import io.stagecoach.platform.topology.Definitions.Queue;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.stagecoach.platform.topology.ManagementClient.path;

/**
 * Replaces a hand-off queue that exists with other arguments than the plan's (a classic queue where the plan has a
 * quorum queue). A shovel declares its source queue when it is missing, with no arguments: so the queue comes back
 * classic when a vhost is deleted and re-created while the shovel that read it still runs, and deleting it by hand
 * does not help while the shovel runs. RabbitMQ 3.10's shovels cannot be told not to declare (`src-predeclared` is
 * refused as an unrecognised term), so the replacement stops them first:
 *
 * <ol>
 *   <li>every shovel of the vhost that reads the queue is deleted, and is gone before anything else happens;</li>
 *   <li>messages in it are moved, with their routing keys and {@code user_id}, by a shovel of their own through a
 *       fanout exchange into a waiting quorum queue;</li>
 *   <li>the old queue is deleted only if the broker finds it empty ({@code if-empty}), the planned one declared, and
 *       the waiting messages moved into it the same way;</li>
 *   <li>the planned shovel is put back by the provisioning's last step, as for a new environment.</li>
 * </ol>
 * A step that fails leaves the messages in the old queue or the waiting one (never in neither), and a second
 * provisioning picks up from there: the waiting queue is emptied into the planned one first.
 */
final class HandoffQueueReplacement {

    static final String WAITING_SUFFIX = ".replacing";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private final ManagementClient management;
    private final Consumer<String> progress;

    HandoffQueueReplacement(ManagementClient management, Consumer<String> progress) {
        this.management = management;
        this.progress = progress;
    }

    /** Whether {@code queue} is the source of a shovel in {@code shovels} (the plan's, of its vhost). */
    static boolean isHandoff(Queue queue, List<Parameter> shovels) {
        return shovels.stream().anyMatch(p -> "shovel".equals(p.component()) && queue.vhost().equals(p.vhost())
                && queue.name().equals(p.value().get("src-queue")));
    }

    /** Replaces {@code existing} with the planned {@code queue}; returns what it did, for the progress line. */
    String replace(Queue queue, JsonNode existing, String label) {
        String vhost = queue.vhost();
        String old = existing.path("type").asString("classic");
        stopShovelsReading(vhost, queue.name());
        String waiting = queue.name() + WAITING_SUFFIX;
        String through = "stagecoach.replacing." + queue.name();
        management.put(path("api", "exchanges", vhost, through),
                Map.of("type", "fanout", "durable", true, "auto_delete", false, "internal", false, "arguments", Map.of()));
        management.put(path("api", "queues", vhost, waiting),
                Map.of("durable", true, "auto_delete", false, "arguments", queue.arguments()));
        bind(vhost, through, waiting);
        long moved = move(vhost, queue.name(), through, label);
        deleteIfEmpty(vhost, queue.name());
        management.put(path("api", "queues", vhost, queue.name()),
                Map.of("durable", queue.durable(), "auto_delete", queue.autoDelete(), "arguments", queue.arguments()));
        unbind(vhost, through, waiting);
        bind(vhost, through, queue.name());
        move(vhost, waiting, through, label);
        deleteIfEmpty(vhost, waiting);
        management.delete(path("api", "exchanges", vhost, through));
        return "replaced the " + old + " queue " + queue.name() + " with a " + queue.arguments().get("x-queue-type")
                + " one (" + (moved == 1 ? "1 message" : moved + " messages") + " moved into it)";
    }

    /** Deletes the shovels of {@code vhost} that read {@code queue}, and waits until none of them runs any more. */
    private void stopShovelsReading(String vhost, String queue) {
        List<String> stopped = new java.util.ArrayList<>();
        for (JsonNode shovel : management.list(path("api", "parameters", "shovel", vhost))) {
            if (queue.equals(shovel.path("value").path("src-queue").asString(""))) {
                stopped.add(shovel.path("name").asString());
                management.delete(path("api", "parameters", "shovel", vhost, shovel.path("name").asString()));
            }
        }
        await("the shovels reading " + queue + " in " + vhost + " to stop", () -> management
                .list(path("api", "shovels", vhost)).stream()
                .noneMatch(s -> stopped.contains(s.path("name").asString(""))
                        || queue.equals(s.path("src_queue").asString(""))));
    }

    /**
     * Finishes a replacement that stopped halfway: moves what the waiting copy of {@code queue} holds into it (the
     * planned queue, declared by then). Does nothing when there is no waiting copy.
     */
    void resume(Queue queue, String label) {
        String vhost = queue.vhost();
        String waiting = queue.name() + WAITING_SUFFIX;
        if (management.get(path("api", "queues", vhost, waiting)).isEmpty()) {
            return;
        }
        String through = "stagecoach.replacing." + queue.name();
        management.put(path("api", "exchanges", vhost, through),
                Map.of("type", "fanout", "durable", true, "auto_delete", false, "internal", false, "arguments", Map.of()));
        unbind(vhost, through, waiting);
        bind(vhost, through, queue.name());
        long moved = move(vhost, waiting, through, label);
        deleteIfEmpty(vhost, waiting);
        management.delete(path("api", "exchanges", vhost, through));
        progress.accept(label + ": finished replacing " + queue.name() + " (" + moved + " waiting messages moved into it)");
    }

    /**
     * Moves what {@code from} holds through {@code through} with a shovel that deletes itself once it moved them;
     * returns how many the queue held when it started (as the management API counts them).
     */
    private long move(String vhost, String from, String through, String label) {
        long held = management.get(path("api", "queues", vhost, from))
                .map(q -> q.path("messages").asLong(0)).orElse(0L);
        String name = "stagecoach-move-" + from;
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("src-protocol", "amqp091");
        value.put("src-uri", BrokerDefinitions.directUri(vhost));
        value.put("src-queue", from);
        value.put("dest-protocol", "amqp091");
        value.put("dest-uri", BrokerDefinitions.directUri(vhost));
        // no dest-exchange-key: each message keeps its routing key, and the shovel keeps its user_id
        value.put("dest-exchange", through);
        value.put("ack-mode", "on-confirm");
        value.put("src-delete-after", "queue-length");
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
