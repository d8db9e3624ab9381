package io.stagecoach.local;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
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

/** One environment's audit stream as the administrator reads it: followed live from its first record. */
final class AuditTrail implements AutoCloseable {

    /** The longest a test waits for one step of the pipeline. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final LedgerFeed feed;
    private final List<AuditRecord> records = new CopyOnWriteArrayList<>();

    private AuditTrail(LedgerFeed feed) {
        this.feed = feed;
    }

    static AuditTrail follow(ConnectionFactory admin, Environments environments, String environment)
            throws Exception {
        return follow(admin, environments, environment, (record, ledger) -> { });
    }

    /**
     * Follows the stream and shows {@code observer} every record right after the ledger folded it (or refused it),
     * with the ledger, on the feed's thread: what each record changed can be told apart.
     */
    static AuditTrail follow(ConnectionFactory admin, Environments environments, String environment,
                             BiConsumer<AuditRecord, EnvironmentLedger> observer) throws Exception {
        LedgerFeed feed = new LedgerFeed(admin, new EnvironmentLedger(environment, Provenance.of(environments)),
                new EventCodec());
        AuditTrail trail = new AuditTrail(feed);
        // every record of the stream in its order, those that count and those that do not
        feed.onRecord(record -> {
            trail.records.add(record);
            observer.accept(record, feed.ledger());
        }).onRefused((record, refusal) -> {
            trail.records.add(record);
            observer.accept(record, feed.ledger());
        });
        feed.start(WAIT);
        return trail;
    }

    /** The environment's state, folded from the same records. */
    EnvironmentLedger ledger() {
        return feed.ledger();
    }

    /** Waits until every record the stream holds now has been read. */
    AuditTrail caughtUp() throws Exception {
        feed.catchUp(WAIT);
        return this;
    }

    /** Every record read so far, in stream order. */
    List<AuditRecord> records() {
        return List.copyOf(records);
    }

    /** Records of the run {@code runId}, in stream order. */
    List<AuditRecord> run(String runId) {
        return records.stream().filter(r -> runId.equals(r.event().correlationid())).toList();
    }

    /** Events with data of {@code type} that match. */
    @SuppressWarnings("unchecked")
    <T extends EventData> List<CloudEvent<T>> events(Class<T> type, Predicate<? super T> matching) {
        return records.stream().map(AuditRecord::event).filter(e -> type.isInstance(e.data()))
                .map(e -> (CloudEvent<T>) e).filter(e -> matching.test(e.data())).toList();
    }

    /** The records of events with data of {@code type} that match. */
    <T extends EventData> List<AuditRecord> records(Class<T> type, Predicate<? super T> matching) {
        return records.stream().filter(r -> type.isInstance(r.event().data()))
                .filter(r -> matching.test(type.cast(r.event().data()))).toList();
    }

    /** Waits for the first event of {@code type} that matches, and returns its record. */
    <T extends EventData> AuditRecord await(Class<T> type, Predicate<? super T> matching) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .alias("a " + type.getSimpleName() + " in " + feed.ledger().environment() + "'s audit stream")
                .until(() -> !records(type, matching).isEmpty());
        return records(type, matching).get(0);
    }

    /** Waits for the first event of {@code type} that {@code cause} led to, and returns its record. */
    AuditRecord awaitCausedBy(Class<? extends EventData> type, CloudEvent<?> cause) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .alias("a " + type.getSimpleName() + " caused by " + cause.id() + " in "
                        + feed.ledger().environment() + "'s audit stream")
                .until(() -> causedBy(type, cause) != null);
        return causedBy(type, cause);
    }

    private AuditRecord causedBy(Class<? extends EventData> type, CloudEvent<?> cause) {
        return records.stream().filter(r -> type.isInstance(r.event().data()))
                .filter(r -> cause.id().equals(r.event().causationid())).findFirst().orElse(null);
    }

    /** The data of the first matching event, once there. */
    <T extends EventData> T awaitData(Class<T> type, Predicate<? super T> matching) {
        return type.cast(await(type, matching).event().data());
    }

    @Override
    public void close() {
        feed.close();
    }
}
