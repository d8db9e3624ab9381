package io.stagecoach.promotion;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventData;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.awaitility.Awaitility;

/** Every record of one environment's audit stream, as a test reads it: followed live from the start. */
public final class AuditLog implements AutoCloseable {

    /** How long a test waits for something to appear in the stream. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private final LedgerFeed feed;
    private final List<AuditRecord> records = new CopyOnWriteArrayList<>();

    private AuditLog(LedgerFeed feed) {
        this.feed = feed;
    }

    static AuditLog follow(ConnectionFactory connectionFactory, Environments environments, String environment)
            throws Exception {
        LedgerFeed feed = new LedgerFeed(connectionFactory,
                new EnvironmentLedger(environment, Provenance.of(environments)), new EventCodec());
        AuditLog log = new AuditLog(feed);
        // every record of the stream in its order, those that count and those that do not
        feed.onRecord(log.records::add).onRefused((record, refusal) -> log.records.add(record));
        feed.start(WAIT);
        return log;
    }

    /** The environment's state, folded from the same records. */
    public EnvironmentLedger ledger() {
        return feed.ledger();
    }

    public List<AuditRecord> records() {
        return List.copyOf(records);
    }

    /** Events with data of {@code type} that match. */
    @SuppressWarnings("unchecked")
    public <T extends EventData> List<CloudEvent<T>> events(Class<T> type, Predicate<CloudEvent<T>> matching) {
        return records.stream().map(AuditRecord::event).filter(e -> type.isInstance(e.data()))
                .map(e -> (CloudEvent<T>) e).filter(matching).toList();
    }

    /** The records of events with data of {@code type} that match. */
    @SuppressWarnings("unchecked")
    public <T extends EventData> List<AuditRecord> records(Class<T> type, Predicate<CloudEvent<T>> matching) {
        return records.stream().filter(r -> type.isInstance(r.event().data()))
                .filter(r -> matching.test((CloudEvent<T>) r.event())).toList();
    }

    /** Waits for the first event of {@code type} that matches. */
    public <T extends EventData> CloudEvent<T> await(Class<T> type, Predicate<CloudEvent<T>> matching) {
        Awaitility.await().atMost(WAIT).until(() -> !events(type, matching).isEmpty());
        return events(type, matching).get(0);
    }

    /** Waits for the first event of {@code type} caused by {@code cause}. */
    public <T extends EventData> CloudEvent<T> awaitCausedBy(Class<T> type, CloudEvent<?> cause) {
        return await(type, e -> cause.id().equals(e.causationid()));
    }

    /** Waits for {@code event} (by id) and returns its record: routing key, publisher, offset. */
    public AuditRecord awaitRecord(CloudEvent<?> event) {
        Awaitility.await().atMost(WAIT).until(() -> records.stream().anyMatch(r -> r.event().id().equals(event.id())));
        return records.stream().filter(r -> r.event().id().equals(event.id())).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        feed.close();
    }
}
