package io.stagecoach.cli;

import com.rabbitmq.client.Connection;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.AuditStreamException;
import io.stagecoach.platform.audit.AuditStreamReader;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    private final EventCodec codec = new EventCodec();
    private final Set<String> seen = new HashSet<>();

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

    /** Subscribes to every one of {@code environments}: from {@code start}, or from the next message when null. */
    void subscribeAll(Environments environments, Instant start) {
        for (Environment environment : environments.all()) {
            subscribe(environment, start == null ? StreamOffset.next() : StreamOffset.at(start));
        }
    }

    /** An event of a stream, with the environment whose stream held it and its message. */
    record Event(Environment environment, AuditMessage message, CloudEvent<?> event) {
    }

    /**
     * The next event of any subscribed stream that is one, seen for the first time (a hand-off is in two streams)
     * and not older than {@code start} (null: any); null after {@code wait} without one.
     *
     * @throws CliException when the broker closed a subscription
     */
    Event nextEvent(Duration wait, Instant start) throws InterruptedException {
        Item item = poll(wait);
        if (item == null) {
            if (anyClosed()) {
                throw CliException.broker("RabbitMQ closed an audit stream subscription", null);
            }
            return null;
        }
        CloudEvent<?> event;
        try {
            event = codec.decode(item.message().body());
        } catch (InvalidEventException e) {
            return null;
        }
        if (!seen.add(event.id()) || start != null && event.time().isBefore(start)) {
            return null;
        }
        return new Event(item.environment(), item.message(), event);
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
