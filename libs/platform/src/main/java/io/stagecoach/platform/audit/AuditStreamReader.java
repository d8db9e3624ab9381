package io.stagecoach.platform.audit;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.events.BrokerNames;

/**
 * Reads an environment's audit stream over AMQP 0-9-1: the log services rebuild their state from,
 * and the CLI shows. Streams need {@code basic.qos} and manual acks (auto-ack closes the connection);
 * an ack here only grants credit, it removes nothing.
 *
 * <p>The connection (to the environment's vhost, as a user who may read the stream) belongs to the
 * caller; each read or subscription uses a channel of its own.
 */
public final class AuditStreamReader {

    /** Messages the broker sends ahead of acks. */
    static final int PREFETCH = 500;
    /** A subscription acks every this many messages at once (fewer than {@link #PREFETCH}). */
    static final int ACK_EVERY = PREFETCH / 4;
    /** Stream offset of a delivery, set by the broker. */
    static final String OFFSET_HEADER = "x-stream-offset";
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(1);
    /** A stream delivers a chunk in one burst; this much quiet after the last message means the chunk ended. */
    static final Duration END_QUIET = Duration.ofMillis(150);
    /** A stream that never goes quiet still has an end for this call: the last message seen this long after it. */
    static final Duration END_LIMIT = Duration.ofSeconds(1);

    private final Connection connection;
    private final String stream;

    public AuditStreamReader(Connection connection) {
        this(connection, BrokerNames.AUDIT_STREAM);
    }

    public AuditStreamReader(Connection connection, String stream) {
        this.connection = connection;
        this.stream = stream;
    }

    /** {@link #read(StreamOffset, int, Duration)} waiting {@link #DEFAULT_IDLE} for more. */
    public List<AuditMessage> read(StreamOffset from, int maxMessages) {
        return read(from, maxMessages, DEFAULT_IDLE);
    }

    /**
     * Up to {@code maxMessages} messages from {@code from} on, in stream order. AMQP 0-9-1 does not
     * tell where a stream ends, so the read also stops once nothing arrived for {@code idle}.
     */
    public List<AuditMessage> read(StreamOffset from, int maxMessages, Duration idle) {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, not " + maxMessages);
        }
        BlockingQueue<AuditMessage> received = new LinkedBlockingQueue<>();
        List<AuditMessage> messages = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Channel channel = open(from);
        try {
            channel.basicQos(Math.min(maxMessages, PREFETCH));
            channel.basicConsume(stream, false, Map.of(OFFSET_HEADER, from.argument()), new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    if (done.get()) {
                        return;
                    }
                    AuditMessage message = message(envelope, properties, body);
                    if (message.offset() >= from.minimum()) {
                        received.add(message);
                    }
                    ack(channel, envelope);
                }
            });
            while (messages.size() < maxMessages) {
                AuditMessage next = received.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    break;
                }
                messages.add(next);
            }
        } catch (IOException | ShutdownSignalException e) {
            throw failure(from, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditStreamException("Interrupted while reading " + stream, e);
        } finally {
            done.set(true);
            closeQuietly(channel);
        }
        return messages;
    }

    /**
     * Hands every message from {@code from} on to {@code callback}, in order and one at a time, until the
     * subscription is closed. A callback that throws ends the subscription ({@link Subscription#failure()}).
     */
    public Subscription subscribe(StreamOffset from, Consumer<AuditMessage> callback) {
        Channel channel = open(from);
        Subscription subscription = new Subscription(channel);
        try {
            channel.basicQos(PREFETCH);
            channel.basicConsume(stream, false, Map.of(OFFSET_HEADER, from.argument()), new DefaultConsumer(channel) {
                private int unacked;

                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    if (subscription.failure != null) {
                        return;
                    }
                    AuditMessage message = message(envelope, properties, body);
                    if (message.offset() >= from.minimum()) {
                        try {
                            callback.accept(message);
                        } catch (RuntimeException e) {
                            subscription.failure = e;
                            // not from this thread: closing waits for the dispatch this call is part of
                            CompletableFuture.runAsync(subscription::close);
                            return;
                        }
                    }
                    // one ack for many: a replay reads hundreds of thousands, and each ack is a frame the broker
                    // handles; fewer than PREFETCH stay unacked, so the broker never stops for credit
                    if (++unacked >= ACK_EVERY) {
                        ackUpTo(channel, envelope);
                        unacked = 0;
                    }
                }

                @Override
                public void handleCancel(String consumerTag) {
                    // the broker ended the consumer (the stream was deleted, or its member went away): nothing more
                    // will come on this channel
                    subscription.ended = "the broker cancelled the consumer";
                    CompletableFuture.runAsync(subscription::close);
                }

                @Override
                public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
                    if (subscription.ended == null) {
                        subscription.ended = signal.isInitiatedByApplication() ? "closed"
                                : "the broker closed it: " + rootMessage(signal);
                    }
                }
            });
            return subscription;
        } catch (IOException | ShutdownSignalException e) {
            closeQuietly(channel);
            throw failure(from, e);
        }
    }

    /**
     * The offset of the stream's last message now, -1 when it is empty. AMQP 0-9-1 does not say where a stream
     * ends, so this reads its last chunk until it goes quiet; messages appended while it reads need not count.
     */
    public long endOffset() {
        StreamOffset from = StreamOffset.last();
        BlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
        Channel channel = open(from);
        try {
            channel.basicQos(PREFETCH);
            String tag = channel.basicConsume(stream, false, Map.of(OFFSET_HEADER, from.argument()),
                    new DefaultConsumer(channel) {
                        @Override
                        public void handleDelivery(String consumerTag, Envelope envelope,
                                                   AMQP.BasicProperties properties, byte[] body) {
                            offsets.add(message(envelope, properties, body).offset());
                            ack(channel, envelope);
                        }
                    });
            long end = -1;
            long limit = System.nanoTime() + END_LIMIT.toNanos();
            // an empty stream delivers nothing at all: wait a little longer for the first message
            Long next = offsets.poll(END_QUIET.toMillis() * 3, TimeUnit.MILLISECONDS);
            while (next != null) {
                end = Math.max(end, next);
                long left = limit - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                next = offsets.poll(Math.min(END_QUIET.toNanos(), left), TimeUnit.NANOSECONDS);
            }
            channel.basicCancel(tag);
            return end;
        } catch (IOException | ShutdownSignalException e) {
            throw failure(from, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditStreamException("Interrupted while reading the end of " + stream, e);
        } finally {
            closeQuietly(channel);
        }
    }

    /** A running subscription to the stream. */
    public static final class Subscription implements AutoCloseable {

        private final Channel channel;
        private volatile RuntimeException failure;
        private volatile String ended;

        private Subscription(Channel channel) {
            this.channel = channel;
        }

        /** Whether messages may still come: the channel is open and the broker did not cancel the consumer. */
        public boolean isActive() {
            return channel.isOpen() && ended == null && failure == null;
        }

        /** Why the subscription no longer receives messages, empty while it is {@link #isActive() active}. */
        public Optional<String> endedBecause() {
            if (failure != null) {
                return Optional.of("the callback failed: " + failure);
            }
            if (ended != null) {
                return Optional.of(ended);
            }
            if (!channel.isOpen()) {
                return Optional.of(channel.getCloseReason() == null ? "its channel closed"
                        : "its channel closed: " + rootMessage(channel.getCloseReason()));
            }
            return Optional.empty();
        }

        /** What the callback threw, if that ended the subscription. */
        public Optional<RuntimeException> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private Channel open(StreamOffset from) {
        try {
            return connection.createChannel();
        } catch (IOException | ShutdownSignalException e) {
            throw failure(from, e);
        }
    }

    /** Acks only grant credit on a stream: one lost to a closing channel loses nothing. */
    private static void ack(Channel channel, Envelope envelope) {
        try {
            channel.basicAck(envelope.getDeliveryTag(), false);
        } catch (IOException | ShutdownSignalException e) {
            // the channel is closing: no more deliveries will come
        }
    }

    /** {@link #ack} of this message and every one before it. */
    private static void ackUpTo(Channel channel, Envelope envelope) {
        try {
            channel.basicAck(envelope.getDeliveryTag(), true);
        } catch (IOException | ShutdownSignalException e) {
            // the channel is closing: no more deliveries will come
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            // closed already, or the connection went away: either way no more deliveries
        }
    }

    private AuditStreamException failure(StreamOffset from, Exception e) {
        return new AuditStreamException("Cannot read stream " + stream + " from " + from + ": " + rootMessage(e), e);
    }

    static AuditMessage message(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : plain(properties.getHeaders());
        Object offset = headers.get(OFFSET_HEADER);
        Instant timestamp = properties.getTimestamp() == null ? null : properties.getTimestamp().toInstant();
        return new AuditMessage(offset instanceof Number n ? n.longValue() : -1, envelope.getRoutingKey(),
                properties.getUserId(), properties.getMessageId(), properties.getContentType(), timestamp, headers, body);
    }

    /** Header values as plain Java values: AMQP long strings become {@link String}. */
    private static Map<String, Object> plain(Map<String, Object> headers) {
        Map<String, Object> copy = new LinkedHashMap<>();
        headers.forEach((key, value) -> copy.put(key, plainValue(value)));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static Object plainValue(Object value) {
        if (value instanceof LongString text) {
            return text.toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AuditStreamReader::plainValue).toList();
        }
        if (value instanceof Map<?, ?> map) {
            return plain((Map<String, Object>) map);
        }
        return value;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
