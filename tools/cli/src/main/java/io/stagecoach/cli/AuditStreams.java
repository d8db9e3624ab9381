package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.AuditStreamException;
import io.stagecoach.platform.audit.AuditStreamReader;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.environments.Environment;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads environments' audit streams as each one's operator user, all into one queue the caller drains on its own
 * thread: {@code audit} reads one up to its end (or follows it), {@code watch} follows them all.
 */
final class AuditStreams implements AutoCloseable {

    /** One message and the environment whose stream held it. */
    record Item(Environment environment, AuditMessage message) {
    }

    /** A stream delivers a chunk in one burst; this much quiet after the last message means the chunk ended. */
    private static final Duration QUIET = Duration.ofMillis(150);

    private final Broker broker;
    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final List<Connection> connections = new ArrayList<>();
    private final List<AuditStreamReader.Subscription> subscriptions = new ArrayList<>();

    AuditStreams(Broker broker) {
        this.broker = broker;
    }

    /** Starts delivering {@code environment}'s stream from {@code from}; returns the offset of its last message now. */
    long subscribe(Environment environment, StreamOffset from) {
        Connection connection = broker.connect(environment, Principal.OPERATOR);
        connections.add(connection);
        try {
            long end = endOffset(connection);
            subscriptions.add(new AuditStreamReader(connection).subscribe(from,
                    message -> items.add(new Item(environment, message))));
            return end;
        } catch (AuditStreamException | IOException e) {
            throw broker.explain(e, environment, broker.userFor(environment, Principal.OPERATOR));
        }
    }

    /** The next message of any subscribed stream, or null after {@code wait}. */
    Item poll(Duration wait) throws InterruptedException {
        return items.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A subscription that ended because the broker closed it (a deleted stream, a lost connection), if any. */
    boolean anyClosed() {
        return subscriptions.stream().anyMatch(s -> !s.isActive());
    }

    /** The offset of the stream's last message, -1 when it is empty: read the last chunk until it goes quiet. */
    private static long endOffset(Connection connection) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.basicQos(500);
            BlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
            String tag = channel.basicConsume(BrokerNames.AUDIT_STREAM, false, Map.of("x-stream-offset", "last"),
                    new DefaultConsumer(channel) {
                        @Override
                        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                                   byte[] body) throws IOException {
                            Object offset = properties.getHeaders() == null ? null
                                    : properties.getHeaders().get("x-stream-offset");
                            offsets.add(offset instanceof Number n ? n.longValue() : -1L);
                            getChannel().basicAck(envelope.getDeliveryTag(), false);
                        }
                    });
            long end = -1;
            // an empty stream delivers nothing at all: wait a little longer for the first message
            Long next = offsets.poll(QUIET.toMillis() * 3, TimeUnit.MILLISECONDS);
            while (next != null) {
                end = Math.max(end, next);
                next = offsets.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
            }
            channel.basicCancel(tag);
            return end;
        } catch (TimeoutException e) {
            throw new IOException("closing the probe channel timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the end of the audit stream", e);
        }
    }

    @Override
    public void close() {
        subscriptions.forEach(AuditStreamReader.Subscription::close);
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                // already gone: nothing more to read from it either way
            }
        }
    }
}
