package io.stagecoach.support.publish;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.ledger.LedgerFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure that every event this service published is in its environment's audit stream, and publishes it again
 * when it is not. One publish routes an event to its inboxes and to the stream; a broker that restarts may keep the
 * inbox's copy and lose the stream's (a stream write is not replicated until its member is back). The consumer would
 * then wait for its ledger to read an event that never comes, and every delivery behind it in its inbox with it.
 *
 * <p>Each confirmed publish is expected in the stream: the ledger feed reads every record of the stream, whatever
 * environment it addresses (the hand-off to the next environment passes through this one's exchange too). An event
 * the feed has not read {@code checkAfter} after its publish, while the feed has read the whole stream, is published
 * again with its own id and body: its consumers take it once (ids are deterministic and every consumer skips what
 * its ledger saw), and the stream holds it. Counted in {@link #REPUBLISHED_METER}; after {@link #MAX_REPUBLISHES} the
 * check gives up on the event and says so.
 */
public final class AuditCheck implements AutoCloseable {

    /** Counter of events published again because the audit stream lost them, tagged {@code type}. */
    public static final String REPUBLISHED_METER = "stagecoach.events.republished";
    static final int MAX_REPUBLISHES = 5;
    static final Duration EVERY = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(AuditCheck.class);

    private final LedgerFeed feed;
    private final EventPublisher publisher;
    private final Duration checkAfter;
    private final MeterRegistry registry;
    private final String environment;
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    private record Expected(CloudEvent<?> event, long publishedAt, int republished) {
    }

    public AuditCheck(LedgerFeed feed, EventPublisher publisher, Duration checkAfter, MeterRegistry registry,
            String environment) {
        this.feed = feed;
        this.publisher = publisher;
        this.checkAfter = checkAfter;
        this.registry = registry;
        this.environment = environment;
    }

    /** Expects every event {@code publisher} confirms from now on, and checks every second. */
    public synchronized AuditCheck start() {
        if (timer == null) {
            publisher.onConfirmed(this::expect);
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "stagecoach-audit-check-" + environment);
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::checkQuietly, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Expects {@code event}, confirmed by the broker just now, in the audit stream. */
    void expect(CloudEvent<?> event) {
        if (!feed.hasRead(event.id())) {
            expected.putIfAbsent(event.id(), new Expected(event, System.nanoTime(), 0));
        }
    }

    /** Events confirmed but not read from the stream yet. */
    public int waiting() {
        expected.values().removeIf(e -> feed.hasRead(e.event().id()));
        return expected.size();
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("checking that published events reached the audit stream of {} failed: {}", environment,
                    e.toString());
        }
    }

    /** Publishes again what the stream does not hold {@code checkAfter} after its publish; see the class. */
    void check() {
        expected.values().removeIf(e -> feed.hasRead(e.event().id()));
        long now = System.nanoTime();
        List<Expected> overdue = new ArrayList<>();
        expected.values().forEach(e -> {
            if (now - e.publishedAt() >= checkAfter.toNanos()) {
                overdue.add(e);
            }
        });
        if (overdue.isEmpty()) {
            return;
        }
        try {
            // an event the feed merely has not read yet is no loss: only what is missing once it read it all
            feed.catchUp(checkAfter);
        } catch (IOException | TimeoutException e) {
            log.debug("the audit stream of {} cannot be read to its end now ({}); checking again later", environment,
                    e.getMessage());
            return;
        }
        for (Expected missing : overdue) {
            CloudEvent<?> event = missing.event();
            if (feed.hasRead(event.id())) {
                expected.remove(event.id());
                continue;
            }
            if (missing.republished() >= MAX_REPUBLISHES) {
                expected.remove(event.id());
                log.error("event {} ({}) is still not in the audit stream of {} after {} publishes; giving up: its "
                        + "consumers wait for it until they dead-letter it", event.id(), event.type(), environment,
                        missing.republished() + 1);
                continue;
            }
            try {
                publisher.publish(event);
            } catch (PublishFailedException e) {
                log.debug("publishing {} again failed ({}); trying later", event.id(), e.getMessage());
                continue;
            }
            expected.put(event.id(), new Expected(event, System.nanoTime(), missing.republished() + 1));
            Counter.builder(REPUBLISHED_METER)
                    .description("Events published again because the audit stream did not hold them after the "
                            + "broker confirmed them (a broker restart lost the stream's copy)")
                    .tag("environment", environment)
                    .tag("type", event.eventType().eventName())
                    .register(registry)
                    .increment();
            log.warn("event {} ({}) was confirmed {} s ago but the audit stream of {} does not hold it (the broker lost "
                    + "its copy there); published it again with the same id", event.id(), event.type(),
                    (System.nanoTime() - missing.publishedAt()) / 1_000_000_000L, environment);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
