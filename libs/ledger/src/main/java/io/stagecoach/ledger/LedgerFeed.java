package io.stagecoach.ledger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.platform.topology.Provenance.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps an {@link EnvironmentLedger} folded from the environment's {@code stagecoach.audit} stream: replays it
 * from its first record at start, then follows it live. {@link #catchUp(Duration)} waits until everything the
 * stream held when it was called has been applied — a service calls it before deciding on an event that refers
 * to earlier ones.
 */
public final class LedgerFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LedgerFeed.class);
    private static final int PREFETCH = 500;
    /** A stream delivers a chunk in one burst; this much quiet after the last record means the chunk ended. */
    private static final Duration PROBE_QUIET = Duration.ofMillis(150);
    /** A stream that never goes quiet still has an end for this call: the last record seen this long after it. */
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(1);

    private final ConnectionFactory connectionFactory;
    private final EnvironmentLedger ledger;
    private final EventCodec codec;
    private final List<Consumer<AuditRecord>> listeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<AuditRecord, Refusal>> refusedListeners = new CopyOnWriteArrayList<>();
    private volatile long skipped;
    private volatile boolean live;
    private Connection connection;

    /**
     * @param connectionFactory connects to the environment's vhost as a user that may read the audit stream
     */
    public LedgerFeed(ConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec) {
        this.connectionFactory = connectionFactory;
        this.ledger = ledger;
        this.codec = codec;
    }

    /**
     * Called, on the feed's thread, for every record that counts (see {@link io.stagecoach.platform.topology.Provenance})
     * after the ledger applied it: a fold of its own must take nothing else.
     */
    public LedgerFeed onRecord(Consumer<AuditRecord> listener) {
        listeners.add(listener);
        return this;
    }

    /** Called, on the feed's thread, for every record that does not count, with why: to count it and show it. */
    public LedgerFeed onRefused(BiConsumer<AuditRecord, Refusal> listener) {
        refusedListeners.add(listener);
        return this;
    }

    public EnvironmentLedger ledger() {
        return ledger;
    }

    /** Records in the stream that were not valid events (they are in the audit, but change no state). */
    public long skipped() {
        return skipped;
    }

    /** Starts following the stream from its first record and waits until the replay reached its end. */
    public synchronized LedgerFeed start(Duration replayTimeout) throws IOException, TimeoutException {
        if (connection != null) {
            return this;
        }
        connection = connectionFactory.newConnection("stagecoach-ledger-" + ledger.environment());
        Channel channel = connection.createChannel();
        channel.basicQos(PREFETCH);
        channel.basicConsume(BrokerNames.AUDIT_STREAM, false, Map.of("x-stream-offset", "first"),
                new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                               byte[] body) throws IOException {
                        apply(envelope, properties, body);
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
        catchUp(replayTimeout);
        live = true;
        if (ledger.refused() > 0) {
            log.warn("ledger of {}: {} records in the audit stream do not count (wrong routing key or publisher for "
                    + "their type); they change nothing", ledger.environment(), ledger.refused());
        }
        log.info("ledger of {} replayed: {} events up to offset {}", ledger.environment(), ledger.applied(),
                ledger.position());
        return this;
    }

    private void apply(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        long offset = offsetOf(properties);
        CloudEvent<?> event;
        try {
            event = codec.decode(body);
        } catch (InvalidEventException e) {
            skipped++;
            ledger.advanceTo(offset);
            return;
        }
        AuditRecord record = new AuditRecord(event, envelope.getRoutingKey(), properties.getUserId(), offset);
        Optional<Refusal> refusal = ledger.apply(record);
        if (refusal.isPresent()) {
            if (live) {
                // replayed ones are summed up once at start; a new one is worth a line of its own
                log.warn("audit record {} at offset {} of {} does not count: {} ({}), published by {}", event.id(),
                        offset, ledger.environment(), refusal.get().reason(), refusal.get().message(),
                        record.publisher());
            }
            notify(refusedListeners, listener -> listener.accept(record, refusal.get()), event);
            return;
        }
        notify(listeners, listener -> listener.accept(record), event);
    }

    private static <L> void notify(List<L> listeners, Consumer<L> call, CloudEvent<?> event) {
        for (L listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("ledger listener failed on event {}: {}", event.id(), e.toString());
            }
        }
    }

    /**
     * Waits until the ledger has applied every record the stream holds now.
     *
     * @throws TimeoutException when the feed did not get there within {@code timeout}
     */
    public void catchUp(Duration timeout) throws IOException, TimeoutException {
        long end = endOffset();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ledger.position() < end) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the ledger of " + ledger.environment() + " reached offset "
                        + ledger.position() + " of " + end + " within " + timeout);
            }
            ledger.awaitPosition(end, Duration.ofMillis(50));
        }
    }

    /** The offset of the stream's last record, -1 when it is empty: read the last chunk until it goes quiet. */
    long endOffset() throws IOException, TimeoutException {
        try (Connection probe = connectionFactory.newConnection("stagecoach-ledger-probe");
             Channel channel = probe.createChannel()) {
            channel.basicQos(PREFETCH);
            LinkedBlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
            String tag = channel.basicConsume(BrokerNames.AUDIT_STREAM, false, Map.of("x-stream-offset", "last"),
                    new DefaultConsumer(channel) {
                        @Override
                        public void handleDelivery(String consumerTag, Envelope envelope,
                                                   AMQP.BasicProperties properties, byte[] body) throws IOException {
                            offsets.add(offsetOf(properties));
                            try {
                                getChannel().basicAck(envelope.getDeliveryTag(), false);
                            } catch (AlreadyClosedException e) {
                                // a record appended while the probe closes: it has its answer already
                            }
                        }
                    });
            long end = -1;
            long limit = System.nanoTime() + PROBE_LIMIT.toNanos();
            // an empty stream delivers nothing at all: wait a little longer for the first record
            Long next = offsets.poll(PROBE_QUIET.toMillis() * 3, TimeUnit.MILLISECONDS);
            while (next != null) {
                end = Math.max(end, next);
                long left = limit - System.nanoTime();
                if (left <= 0) {
                    // records keep coming: those appended after the call need not be waited for
                    break;
                }
                next = offsets.poll(Math.min(PROBE_QUIET.toNanos(), left), TimeUnit.NANOSECONDS);
            }
            channel.basicCancel(tag);
            return end;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the end of the audit stream", e);
        }
    }

    private static long offsetOf(AMQP.BasicProperties properties) {
        Object offset = properties.getHeaders() == null ? null : properties.getHeaders().get("x-stream-offset");
        return offset instanceof Number n ? n.longValue() : -1;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing the ledger connection: {}", e.toString());
            }
            connection = null;
        }
    }
}
