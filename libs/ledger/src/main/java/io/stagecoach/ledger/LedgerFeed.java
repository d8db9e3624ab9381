package io.stagecoach.ledger;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps an {@link EnvironmentLedger} folded from the environment's {@code stagecoach.audit} stream, read with the
 * platform's {@link AuditStreamReader}: replays it from its first record at start, then follows it live.
 *
 * <p>A service decides on an event once the ledger has read that event: {@link #awaitEvent} waits for it on the
 * feed's own consumer. One publish routes an event to its inbox and to the audit stream, so by the time a handler
 * runs its event is in the stream, and everything before it in the stream has been applied once it has.
 * {@link #catchUp(Duration)} waits for the stream's end, found on a probe connection: start-up needs it; after start
 * the services decide from the ledger as the feed has read it (ADR 18).
 *
 * <p>With a {@link #snapshotTo snapshot file}, a start replays only what the stream holds after the offset of the
 * last snapshot this feed wrote (ADR 19): the snapshot is the feed's own fold, every record after it is judged as ever,
 * and a snapshot the stream no longer matches (the record at its offset gone or another) is ignored.
 */
public final class LedgerFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LedgerFeed.class);

    private final ConnectionFactory connectionFactory;
    /** Every node of a cluster, tried in order for each connection; null for the factory's one host. */
    private volatile List<Address> nodes;
    private final EnvironmentLedger ledger;
    private final EventCodec codec;
    private final List<Consumer<AuditRecord>> listeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<AuditRecord, Refusal>> refusedListeners = new CopyOnWriteArrayList<>();
    private volatile long skipped;
    private volatile boolean live;
    private Connection connection;
    private final AtomicLong connectionsOpened = new AtomicLong();
    /** The consumer of the stream now; replaced by {@link #resubscribe} when it ends. */
    private volatile AuditStreamReader.Subscription subscription;
    /** Which subscription may apply records: one that ended may still hand over a delivery it had. */
    private long generation;
    private final AtomicLong resubscriptions = new AtomicLong();
    private int failedResubscriptions;
    /** Why the subscription is to be replaced although it looks active, or null. */
    private volatile String nudged;
    private volatile long lastNudge;
    private volatile boolean closed;
    private ScheduledExecutorService watch;
    /** How often the feed checks that its consumer still reads, and tries again to subscribe after a failure. */
    static final Duration WATCH_EVERY = Duration.ofMillis(500);
    /** A feed that read nothing while an event waited is subscribed again, at most this often. */
    static final Duration NUDGE_AT_MOST_EVERY = Duration.ofSeconds(5);
    /** Guards the waiters and the arrivals; held while a record is applied and its listeners run. */
    private final Object arrivals = new Object();
    private final Map<String, CountDownLatch> waiters = new HashMap<>();
    /** Ids of records read that do not count but are their own type's publish here (see {@link #isOwnPublish}). */
    private final Map<String, Boolean> refusedArrivals = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_REFUSED_ARRIVALS;
        }
    };
    static final int MAX_REFUSED_ARRIVALS = 10_000;
    /** How long a start waits for the record a snapshot was taken at (it is there at once when it is there). */
    static final Duration SNAPSHOT_CHECK_IDLE = Duration.ofSeconds(2);

    private volatile LedgerSnapshotFile snapshots;
    private Duration snapshotEvery;
    private ScheduledExecutorService snapshotWriter;
    /** The body of the record at the ledger's position (the caller holds {@code arrivals}). */
    private byte[] lastBody;
    private volatile long snapshotPosition = -1;
    private volatile long restoredFrom = -1;

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

    /**
     * Keeps a snapshot of the ledger in {@code file}: {@link #start} restores the last one and replays only what came
     * after it; the feed writes one when the replay ended, then every {@code every} while records arrive, and when it
     * closes. Call before {@link #start}.
     */
    public synchronized LedgerFeed snapshotTo(LedgerSnapshotFile file, Duration every) {
        if (connection != null) {
            throw new IllegalStateException("the ledger feed of " + ledger.environment() + " has started already");
        }
        this.snapshots = file;
        this.snapshotEvery = every;
        return this;
    }

    /** Snapshot files a start found but did not take: not sealed with this feed's key, or unreadable. */
    public long snapshotsRefused() {
        LedgerSnapshotFile file = snapshots;
        return file == null ? 0 : file.refusals();
    }

    /** The offset of the snapshot the last start restored, -1 when it replayed from the first record. */
    public long restoredFrom() {
        return restoredFrom;
    }

    /**
     * Starts following the stream from its first record, or from the record after the snapshot (see
     * {@link #snapshotTo}), and waits until the replay reached the end.
     */
    public synchronized LedgerFeed start(Duration replayTimeout) throws IOException, TimeoutException {
        if (connection != null) {
            return this;
        }
        connection = connect(streamConnections(), "stagecoach-ledger-" + ledger.environment());
        connectionsOpened.incrementAndGet();
        try {
            AuditStreamReader reader = new AuditStreamReader(connection);
            StreamOffset from = restore(reader);
            long first;
            synchronized (arrivals) {
                first = ++generation;
            }
            subscription = reader.subscribe(from, message -> apply(first, message));
        } catch (AuditStreamException e) {
            throw new IOException(e.getMessage(), e);
        }
        // the only full catch-up a service needs: no listener takes a delivery before the replay reached the end
        catchUp(replayTimeout);
        live = true;
        watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "stagecoach-ledger-watch-" + ledger.environment());
            thread.setDaemon(true);
            return thread;
        });
        watch.scheduleWithFixedDelay(this::watchSubscription, WATCH_EVERY.toMillis(), WATCH_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        if (ledger.refused() > 0) {
            log.warn("ledger of {}: {} records in the audit stream do not count (wrong routing key or publisher for "
                    + "their type); they change nothing", ledger.environment(), ledger.refused());
        }
        log.info("ledger of {} replayed: {} events up to offset {}{}", ledger.environment(), ledger.applied(),
                ledger.position(), restoredFrom >= 0 ? ", from the snapshot at offset " + restoredFrom : "");
        if (snapshots != null) {
            snapshotWriter = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "stagecoach-ledger-snapshot-" + ledger.environment());
                thread.setDaemon(true);
                return thread;
            });
            snapshotWriter.execute(this::writeSnapshotQuietly);
            long every = Math.max(1, snapshotEvery.toMillis());
            snapshotWriter.scheduleWithFixedDelay(this::writeSnapshotQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Restores the snapshot if there is one and the stream still holds the record it was taken at, and says where
     * to read from: the record after it, or the first.
     */
    private StreamOffset restore(AuditStreamReader reader) {
        if (snapshots == null) {
            return StreamOffset.first();
        }
        Optional<LedgerSnapshot> found = snapshots.read();
        if (found.isEmpty() || found.get().position() < 0) {
            return StreamOffset.first();
        }
        LedgerSnapshot snapshot = found.get();
        if (snapshot.format() != LedgerSnapshot.FORMAT || !ledger.environment().equals(snapshot.environment())) {
            log.warn("ledger snapshot {} is of format {} for '{}', not {} for '{}': replaying the audit stream of {} "
                    + "from its first record", snapshots, snapshot.format(), snapshot.environment(),
                    LedgerSnapshot.FORMAT, ledger.environment(), ledger.environment());
            return StreamOffset.first();
        }
        List<AuditMessage> at = reader.read(StreamOffset.at(snapshot.position()), 1, SNAPSHOT_CHECK_IDLE);
        if (at.isEmpty() || at.get(0).offset() != snapshot.position()
                || !digest(at.get(0).body()).equals(snapshot.recordDigest())) {
            log.warn("ledger snapshot {} was taken at offset {}, which the audit stream of {} {}: replaying from its "
                    + "first record", snapshots, snapshot.position(), ledger.environment(), at.isEmpty()
                    ? "does not hold" : at.get(0).offset() != snapshot.position() ? "no longer holds (retention)"
                    : "holds another record at");
            return StreamOffset.first();
        }
        synchronized (arrivals) {
            ledger.restore(snapshot);
            skipped = snapshot.skipped();
            snapshot.refusedIds().forEach(id -> refusedArrivals.put(id, Boolean.TRUE));
            lastBody = at.get(0).body();
        }
        restoredFrom = snapshot.position();
        snapshotPosition = snapshot.position();
        return StreamOffset.at(snapshot.position() + 1);
    }

    /**
     * Writes a snapshot of the ledger to the {@link #snapshotTo snapshot file} now, if it read anything since the
     * last one; the feed does so on its own after the replay, every so often and when it closes.
     */
    public void writeSnapshot() throws IOException {
        if (snapshots == null) {
            throw new IllegalStateException("the ledger feed of " + ledger.environment() + " keeps no snapshot");
        }
        LedgerSnapshot snapshot;
        synchronized (arrivals) {
            if (lastBody == null || ledger.position() <= snapshotPosition) {
                return;
            }
            snapshot = ledger.snapshot().withFeed(digest(lastBody), skipped, new ArrayList<>(refusedArrivals.keySet()));
        }
        snapshots.write(snapshot);
        snapshotPosition = snapshot.position();
        log.debug("ledger snapshot of {} at offset {} written to {}", ledger.environment(), snapshot.position(),
                snapshots);
    }

    private void writeSnapshotQuietly() {
        try {
            writeSnapshot();
        } catch (IOException | RuntimeException e) {
            // the next start replays more, nothing worse: the stream is the record
            log.warn("could not write the ledger snapshot of {} to {}: {}", ledger.environment(), snapshots,
                    e.toString());
        }
    }

    static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private void apply(long subscribed, AuditMessage message) {
        synchronized (arrivals) {
            if (subscribed != generation || message.offset() <= ledger.position()) {
                // the last deliveries of a subscription that ended, or a record read already: the stream is in order
                return;
            }
            applyRecord(message);
        }
    }

    /**
     * The stream's connection: one that does not recover by itself. The client's own recovery would register the
     * consumer again at the offset it first asked for, and gives up for good when the stream's member is not back
     * yet; {@link #resubscribe} reads on from where the ledger is instead, and tries until it can.
     */
    private ConnectionFactory streamConnections() {
        ConnectionFactory own = connectionFactory.clone();
        own.setAutomaticRecoveryEnabled(false);
        return own;
    }

    /** On the watch thread: subscribes again when the consumer ended, or read nothing while an event waited. */
    private void watchSubscription() {
        try {
            AuditStreamReader.Subscription current = subscription;
            String why = current == null ? "it had no consumer" : current.endedBecause().orElse(nudged);
            if (why != null) {
                resubscribe(why);
            }
        } catch (RuntimeException e) {
            log.warn("ledger of {}: checking its audit stream consumer failed: {}", ledger.environment(), e.toString());
        }
    }

    /**
     * Replaces the stream's consumer with one that reads from the record after the ledger's position, on a new
     * connection if the old one closed. A failure is tried again on the next check.
     */
    private synchronized void resubscribe(String why) {
        if (closed) {
            return;
        }
        AuditStreamReader.Subscription old = subscription;
        if (old != null) {
            old.close();
        }
        StreamOffset from;
        try {
            if (connection == null || !connection.isOpen()) {
                closeConnection();
                connection = connect(streamConnections(), "stagecoach-ledger-" + ledger.environment());
                connectionsOpened.incrementAndGet();
            }
            long next;
            synchronized (arrivals) {
                next = ++generation;
                from = ledger.position() < 0 ? StreamOffset.first() : StreamOffset.at(ledger.position() + 1);
            }
            subscription = new AuditStreamReader(connection).subscribe(from, message -> apply(next, message));
        } catch (IOException | TimeoutException | AuditStreamException | ShutdownSignalException e) {
            failedResubscriptions++;
            if (failedResubscriptions == 1 || failedResubscriptions % 20 == 0) {
                log.warn("ledger of {}: its audit stream consumer ended ({}), and subscribing again failed {} time(s), "
                        + "last: {}; trying again every {} ms", ledger.environment(), why, failedResubscriptions,
                        e.getMessage(), WATCH_EVERY.toMillis());
            }
            return;
        }
        nudged = null;
        resubscriptions.incrementAndGet();
        log.warn("ledger of {}: its audit stream consumer ended ({}); reading on from {}{}", ledger.environment(), why,
                from, failedResubscriptions == 0 ? "" : " after " + failedResubscriptions + " failed attempt(s)");
        failedResubscriptions = 0;
    }

    /** How many times the feed subscribed to its stream again after its consumer ended (see {@link #resubscribe}). */
    public long resubscriptions() {
        return resubscriptions.get();
    }

    /**
     * Asks for a new consumer although the one there looks active: a wait for an event ended and the ledger read
     * nothing meanwhile. Harmless when the stream was merely quiet: the new consumer reads on from the same place.
     */
    private void nudge(String why) {
        long now = System.nanoTime();
        if (nudged == null && now - lastNudge > NUDGE_AT_MOST_EVERY.toNanos()) {
            lastNudge = now;
            nudged = why;
        }
    }

    private void applyRecord(AuditMessage message) {
        long offset = message.offset();
        if (offset > ledger.position()) {
            lastBody = message.body();
        }
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
            if (isOwnPublish(record)) {
                refusedArrivals.put(event.id(), Boolean.TRUE);
                arrived(event.id());
            }
            return;
        }
        notify(listeners, listener -> listener.accept(record), event);
        arrived(event.id());
    }

    /**
     * Whether a record that does not count is still the publish of the event it carries: under its own type's key
     * for the environment it names. Only that type's producers hold that key's topic permission, so a forged copy of
     * a real event's id under another key (ADR 10) wakes nobody, and a decision never runs before its own event.
     */
    private static boolean isOwnPublish(AuditRecord record) {
        CloudEvent<?> event = record.event();
        return event.eventType().routingKey(event.environment()).equals(record.routingKey());
    }

    private void arrived(String eventId) {
        CountDownLatch latch = waiters.remove(eventId);
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Whether the feed has read the event with this id (the caller holds {@code arrivals}). */
    private boolean reached(String eventId) {
        return ledger.seen(eventId) || refusedArrivals.containsKey(eventId);
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
     * Waits until the feed has read the record of {@code event} from the stream, so that the ledger has applied it
     * and everything before it: the view a decision on that event needs. The record counts, or, if it does not
     * count (ADR 10), it was published under its type's own key; a forged record that merely carries the same id
     * does not end the wait. The wait is on the feed's consumer: no connection, no polling.
     *
     * @throws TimeoutException when the feed did not read it within {@code timeout}
     */
    public void awaitEvent(CloudEvent<?> event, Duration timeout) throws TimeoutException {
        String id = event.id();
        CountDownLatch latch;
        synchronized (arrivals) {
            if (reached(id)) {
                return;
            }
            latch = waiters.computeIfAbsent(id, k -> new CountDownLatch(1));
        }
        boolean arrived;
        long readUpTo = ledger.position();
        try {
            arrived = latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            arrived = false;
        }
        if (!arrived) {
            synchronized (arrivals) {
                if (reached(id)) {
                    return;
                }
                waiters.remove(id, latch);
            }
            if (ledger.position() == readUpTo) {
                nudge("it read nothing for " + timeout + " while " + event.type() + " " + id + " waited");
            }
            throw new TimeoutException("the ledger of " + ledger.environment() + " did not read " + event.type()
                    + " " + id + " from the audit stream within " + timeout + " (it read up to offset "
                    + ledger.position() + ")" + (Thread.currentThread().isInterrupted() ? ": interrupted" : ""));
        }
    }

    /**
     * Whether the feed has read the record of the event with this id from the stream: it counts, or it was published
     * under its type's own key (see {@link #awaitEvent}).
     */
    public boolean hasRead(String eventId) {
        synchronized (arrivals) {
            return reached(eventId);
        }
    }

    /** Connections this feed opened: one to follow the stream, one per {@link #catchUp} probe. */
    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /**
     * Waits until the ledger has applied every record the stream holds now. It opens a probe connection to find the
     * end: start-up uses it; a decision on an event waits for that event instead ({@link #awaitEvent}).
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
        // the ledger reaches a record's offset before that record's listeners ran: they run under this lock, so
        // taking it once more returns only after the last record's listeners are done
        synchronized (arrivals) {
            assert ledger.position() >= end;
        }
    }

    /**
     * Connects to the first of {@code clusterNodes} that answers, for the stream and every probe; a recovering
     * connection then recovers to whichever node is up. Without it, to the connection factory's host.
     */
    public LedgerFeed nodes(List<Address> clusterNodes) {
        this.nodes = List.copyOf(clusterNodes);
        return this;
    }

    private Connection connect(ConnectionFactory factory, String name) throws IOException, TimeoutException {
        List<Address> cluster = nodes;
        return cluster == null ? factory.newConnection(name) : factory.newConnection(cluster, name);
    }

    /** The offset of the stream's last record, -1 when it is empty; read on a connection of its own. */
    long endOffset() throws IOException, TimeoutException {
        connectionsOpened.incrementAndGet();
        try (Connection probe = connect(connectionFactory, "stagecoach-ledger-probe")) {
            return new AuditStreamReader(probe).endOffset();
        } catch (AuditStreamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService watching;
        synchronized (this) {
            watching = watch;
            watch = null;
        }
        if (watching != null) {
            // outside the lock: a resubscription under way takes it, and ends at once seeing the feed closed
            watching.shutdownNow();
            awaitTermination(watching);
        }
        synchronized (this) {
            closeWritingAndReading();
        }
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeWritingAndReading() {
        if (snapshotWriter != null) {
            // a write under way ends first; the last one here then holds all the feed read
            snapshotWriter.shutdown();
            awaitTermination(snapshotWriter);
            snapshotWriter = null;
            writeSnapshotQuietly();
        }
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                if (connection.isOpen()) {
                    connection.close();
                }
            } catch (IOException | RuntimeException e) {
                log.debug("closing the ledger connection: {}", e.toString());
            }
            connection = null;
        }
    }
}
