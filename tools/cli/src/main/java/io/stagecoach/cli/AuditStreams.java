package io.stagecoach.cli;

import com.rabbitmq.client.Connection;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads environments' audit streams as each one's operator user, all into one queue the caller drains on its own
 * thread: {@code audit} reads one up to its end (or follows it), {@code watch} follows them all.
 */
final class AuditStreams implements AutoCloseable {

    /** One message and the environment whose stream held it. */
    record Item(Environment environment, AuditMessage message) {
    }

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
            AuditStreamReader reader = new AuditStreamReader(connection);
            long end = reader.endOffset();
            subscriptions.add(reader.subscribe(from, message -> items.add(new Item(environment, message))));
            return end;
        } catch (AuditStreamException e) {
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
