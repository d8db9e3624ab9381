package io.stagecoach.ledger;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.AuditStreamException;
import io.stagecoach.platform.audit.AuditStreamReader;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.topology.Provenance.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps an {@link EnvironmentLedger} folded from the environment's {@code stagecoach.audit} stream, read with the
 * platform's {@link AuditStreamReader}: replays it from its first record at start, then follows it live. {@link #catchUp(Duration)} waits until everything the
 * stream held when it was called has been applied — a service calls it before deciding on an event that refers
 * to earlier ones.
 */
public final class LedgerFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LedgerFeed.class);

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
        try {
            new AuditStreamReader(connection).subscribe(StreamOffset.first(), this::apply);
        } catch (AuditStreamException e) {
            throw new IOException(e.getMessage(), e);
        }
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

    private void apply(AuditMessage message) {
        long offset = message.offset();
        CloudEvent<?> event;
        try {
            event = codec.decode(message.body());
        } catch (InvalidEventException e) {
            skipped++;
            ledger.advanceTo(offset);
            return;
        }
        AuditRecord record = new AuditRecord(event, message.routingKey(), message.userId(), offset);
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

    /** The offset of the stream's last record, -1 when it is empty; read on a connection of its own. */
    long endOffset() throws IOException, TimeoutException {
        try (Connection probe = connectionFactory.newConnection("stagecoach-ledger-probe")) {
            return new AuditStreamReader(probe).endOffset();
        } catch (AuditStreamException e) {
            throw new IOException(e.getMessage(), e);
        }
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
