package io.stagecoach.testing;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A private node: it serves clients, raises and clears an alarm, and leaves no trace after. A cluster of three is
 * started, stopped node by node and rejoined by {@code ClusterEndToEndTests}, which is its proof; starting one here
 * as well would only repeat it.
 */
class PrivateBrokerTests {

    @Test
    void aNodeServesAQuorumQueueRaisesAndClearsAnAlarmAndLeavesNothingBehind() throws Exception {
        try (PrivateBroker node = PrivateBroker.single()) {
            TestBroker broker = node.broker();
            assertThat(broker.amqpAddresses()).isEqualTo("127.0.0.1:5681");
            assertThat(names(broker.management().get("/api/nodes").orElseThrow())).containsExactly(node.node(0));
            String vhost = broker.createVhost("single");
            try (Connection connection = broker.adminConnectionFactory(vhost).newConnection();
                 Channel channel = connection.createChannel()) {
                channel.queueDeclare("quorum", true, false, false, Map.of("x-queue-type", "quorum"));
                channel.confirmSelect();
                channel.basicPublish("", "quorum", null, "kept".getBytes());
                channel.waitForConfirmsOrDie(10_000);
            }

            node.raiseMemoryAlarm(0);
            until(Duration.ofSeconds(10), () -> alarmed(broker));
            node.clearMemoryAlarm(0);
            until(Duration.ofSeconds(10), () -> !alarmed(broker));
            broker.close();
        }
        assertThat(Files.exists(PrivateBroker.BASE.resolve("0"))).as("the node's files are deleted").isFalse();
    }

    private static void until(Duration limit, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("waited " + limit).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static boolean alarmed(TestBroker broker) {
        return StreamSupport.stream(broker.management().get("/api/nodes").orElseThrow().spliterator(), false)
                .anyMatch(node -> node.path("mem_alarm").asBoolean());
    }

    private static List<String> names(JsonNode nodes) {
        return StreamSupport.stream(nodes.spliterator(), false).map(n -> n.path("name").asString()).toList();
    }
}
