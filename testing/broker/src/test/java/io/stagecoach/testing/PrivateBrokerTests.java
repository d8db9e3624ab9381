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

/** Private nodes: a cluster of three that replicates and survives a stopped node, an alarm, and no trace after. */
class PrivateBrokerTests {

    @Test
    void threeNodesReplicateAQuorumQueueServeClientsWhileTheFirstIsStoppedAndLeaveNothingBehind() throws Exception {
        try (PrivateBroker cluster = PrivateBroker.cluster()) {
            TestBroker broker = cluster.broker();
            assertThat(broker.amqpAddresses()).isEqualTo("127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683");
            assertThat(names(broker.management().get("/api/nodes").orElseThrow()))
                    .containsExactlyInAnyOrder(cluster.node(0), cluster.node(1), cluster.node(2));
            String vhost = broker.createVhost("cluster");
            try (Connection connection = broker.adminConnectionFactory(vhost).newConnection();
                 Channel channel = connection.createChannel()) {
                channel.queueDeclare("replicated", true, false, false, Map.of("x-queue-type", "quorum"));
            }
            until(Duration.ofSeconds(30), () -> broker.management()
                    .get("/api/queues/" + ManagementApi.encode(vhost) + "/replicated").orElseThrow()
                    .path("members").size() == 3);

            cluster.stop(0);
            try (Connection connection = broker.adminConnectionFactory(vhost).newConnection()) {
                assertThat(connection.getPort()).as("the first node is down: the second serves").isEqualTo(5682);
                try (Channel channel = connection.createChannel()) {
                    channel.confirmSelect();
                    channel.basicPublish("", "replicated", null, "kept".getBytes());
                    channel.waitForConfirmsOrDie(10_000);
                }
            }
            cluster.restart(0);
            until(Duration.ofSeconds(60), () -> StreamSupport.stream(broker.management()
                    .get("/api/nodes").orElseThrow().spliterator(), false)
                    .allMatch(node -> node.path("running").asBoolean()));

            cluster.raiseMemoryAlarm(1);
            until(Duration.ofSeconds(10), () -> alarmed(broker));
            cluster.clearMemoryAlarm(1);
            until(Duration.ofSeconds(10), () -> !alarmed(broker));
            broker.close();
        }
        assertThat(Files.exists(PrivateBroker.BASE.resolve("0"))).as("the nodes' files are deleted").isFalse();
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
