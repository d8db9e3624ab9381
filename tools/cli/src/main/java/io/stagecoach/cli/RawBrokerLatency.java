package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.stagecoach.platform.topology.ManagementClient;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker alone, for comparison: 1 KB persistent messages through a throw-away quorum queue in a throw-away
 * vhost, one at a time with a publisher confirm, consumed as they come. Each message's latency is from its publish
 * to its delivery to the consumer.
 */
final class RawBrokerLatency {

    static final int MESSAGE_BYTES = 1024;
    static final String QUEUE = "stagecoach.bench.raw";

    /** What the run measured. */
    record Result(int messages, LatencySummary latency, double messagesPerSecond) {
    }

    private final ManagementClient management;
    private final ConnectionFactory factory;
    private final String vhost;

    /**
     * @param factory a connection factory for the management user (host, port and credentials set); its vhost is
     *                set here
     */
    RawBrokerLatency(ManagementClient management, ConnectionFactory factory, String vhost) {
        this.management = management;
        this.factory = factory;
        this.vhost = vhost;
    }

    /** Sends {@code warmUp} messages that do not count, then {@code messages} that do; removes the vhost after. */
    Result measure(int warmUp, int messages) throws IOException, TimeoutException, InterruptedException {
        management.put(ManagementClient.path("api", "vhosts", vhost), Map.of());
        try {
            management.put(ManagementClient.path("api", "permissions", vhost, management.user()),
                    Map.of("configure", ".*", "write", ".*", "read", ".*"));
            factory.setVirtualHost(vhost);
            try (Connection connection = factory.newConnection("stagecoach-bench-raw")) {
                return run(connection, warmUp, messages);
            }
        } finally {
            management.delete(ManagementClient.path("api", "vhosts", vhost));
        }
    }

    private Result run(Connection connection, int warmUp, int messages)
            throws IOException, TimeoutException, InterruptedException {
        Channel publisher = connection.createChannel();
        publisher.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
        publisher.confirmSelect();
        Channel consumer = connection.createChannel();
        consumer.basicQos(100);
        BlockingQueue<Long> received = new LinkedBlockingQueue<>();
        consumer.basicConsume(QUEUE, false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                long now = System.nanoTime();
                received.add(now - ByteBuffer.wrap(body).getLong());
                consumer.basicAck(envelope.getDeliveryTag(), false);
            }
        });
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        byte[] body = new byte[MESSAGE_BYTES];
        List<Double> latencies = new ArrayList<>(messages);
        long started = 0;
        for (int i = 0; i < warmUp + messages; i++) {
            if (i == warmUp) {
                started = System.nanoTime();
            }
            ByteBuffer.wrap(body).putLong(System.nanoTime());
            publisher.basicPublish("", QUEUE, persistent, body);
            publisher.waitForConfirmsOrDie(Duration.ofSeconds(10).toMillis());
        }
        long elapsed = System.nanoTime() - started;
        for (int i = 0; i < warmUp + messages; i++) {
            Long latency = received.poll(10, TimeUnit.SECONDS);
            if (latency == null) {
                throw new IOException("the consumer received " + i + " of " + (warmUp + messages) + " messages");
            }
            if (i >= warmUp) {
                latencies.add(latency / 1_000_000.0);
            }
        }
        return new Result(messages, LatencySummary.of(latencies), messages / (elapsed / 1e9));
    }
}
