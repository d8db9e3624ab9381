package io.stagecoach.support;

import com.rabbitmq.client.ConnectionFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.ledger.LedgerSnapshotFile;
import io.stagecoach.ledger.SnapshotSeal;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.support.publish.AuditCheck;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The environment's ledger, replayed from its audit stream while the context starts — so it is complete before
 * any listener container takes its first delivery — and followed live afterwards.
 */
@AutoConfiguration(after = StagecoachMessagingAutoConfiguration.class)
@EnableConfigurationProperties(StagecoachLedgerAutoConfiguration.LedgerProperties.class)
public final class StagecoachLedgerAutoConfiguration {

    /** Counter of audit records that do not count, tagged {@code type} and {@code reason}. */
    public static final String REFUSED_METER = "stagecoach.audit.refused";
    /** Counter of ledger snapshot files a start did not take. */
    public static final String SNAPSHOTS_REFUSED_METER = "stagecoach.ledger.snapshots.refused";

    /** Counter of the ledger's new subscriptions to its audit stream after its consumer ended. */
    public static final String RESUBSCRIPTIONS_METER = "stagecoach.ledger.resubscriptions";

    private static final Logger log = LoggerFactory.getLogger(StagecoachLedgerAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    EnvironmentLedger environmentLedger(StagecoachIdentity identity, Provenance provenance) {
        return new EnvironmentLedger(identity.environmentName(), provenance);
    }

    /** Not started here: beans may register {@link LedgerFeed#onRecord} listeners before the replay. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LedgerFeed ledgerFeed(AbstractConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec,
            StagecoachIdentity identity, LedgerProperties properties, ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<RabbitConnectionDetails> broker) {
        // same broker, vhost and user as the inboxes, on a connection of its own: a lost stream consumer would stall
        // every decision, so the feed subscribes again by itself, from the record after the last one it read
        ConnectionFactory recovering = connectionFactory.getRabbitConnectionFactory().clone();
        MeterRegistry registry = StagecoachMessagingAutoConfiguration.registry(meterRegistry);
        LedgerFeed feed = new LedgerFeed(recovering, ledger, codec);
        StagecoachMessagingAutoConfiguration.clusterNodes(broker).ifPresent(feed::nodes);
        if (properties.snapshotFile() != null) {
            // start-up reads only what came after the last snapshot (ADR 19), sealed with a key only this service
            // derives: its own key, or its broker password, for its user on its vhost
            snapshotSeal(properties, recovering).ifPresent(seal -> feed.snapshotTo(
                    new LedgerSnapshotFile(properties.snapshotFile(), seal), properties.snapshotEvery()));
        }
        FunctionCounter.builder(SNAPSHOTS_REFUSED_METER, feed, LedgerFeed::snapshotsRefused)
                .description("Ledger snapshot files found at start but not taken: not sealed with this service's "
                        + "key, or unreadable; the whole audit stream was replayed instead")
                .tag("environment", identity.environmentName())
                .register(registry);
        FunctionCounter.builder(RESUBSCRIPTIONS_METER, feed, LedgerFeed::resubscriptions)
                .description("Times the ledger subscribed to its audit stream again after its consumer ended (a broker "
                        + "restart, a closed connection) or read nothing while a decision waited")
                .tag("environment", identity.environmentName())
                .register(registry);
        FunctionCounter.builder(StagecoachMessagingAutoConfiguration.CONNECTIONS_OPENED_METER, feed,
                        LedgerFeed::connectionsOpened)
                .description("AMQP connections this service opened")
                .tag("environment", identity.environmentName())
                .tag("purpose", "ledger")
                .register(registry);
        return feed.onRefused((record, refusal) -> Counter.builder(REFUSED_METER)
                .description("Audit records that do not count (wrong routing key or publisher for their type): kept, "
                        + "never acted on")
                .tag("type", record.event().eventType().eventName())
                .tag("reason", refusal.reason())
                .register(registry)
                .increment());
    }

    /**
     * The seal of this service's snapshots: derived from {@code stagecoach.ledger.snapshot-key}, or else from the
     * password it connects to the broker with, for its user on its vhost. Empty (no snapshot is kept, said in the log)
     * when there is no secret to derive it from.
     */
    static Optional<SnapshotSeal> snapshotSeal(LedgerProperties properties, ConnectionFactory broker) {
        String secret = properties.snapshotKey() != null ? properties.snapshotKey() : broker.getPassword();
        try {
            return Optional.of(SnapshotSeal.derive(secret, broker.getVirtualHost(), broker.getUsername()));
        } catch (IllegalArgumentException e) {
            log.warn("keeping no ledger snapshot in {}: {}", properties.snapshotFile(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Publishes again what the broker confirmed but the audit stream lost; checks once the ledger runs. */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnMissingBean
    AuditCheck auditCheck(LedgerFeed feed, EventPublisher publisher, LedgerProperties properties,
            StagecoachIdentity identity, ObjectProvider<MeterRegistry> meterRegistry) {
        return new AuditCheck(feed, publisher, properties.auditCheckAfter(),
                StagecoachMessagingAutoConfiguration.registry(meterRegistry), identity.environmentName());
    }

    @Bean
    SmartLifecycle ledgerReplay(LedgerFeed feed, LedgerProperties properties) {
        return new LedgerReplay(feed, properties.replayTimeout());
    }

    /** Replays the stream in a phase before the listener containers start, then keeps following it. */
    static final class LedgerReplay implements SmartLifecycle {

        /** Listener containers start in the default phase (Integer.MAX_VALUE); the ledger must be ready first. */
        static final int PHASE = Integer.MAX_VALUE - 1000;

        private final LedgerFeed feed;
        private final Duration timeout;
        private volatile boolean running;

        LedgerReplay(LedgerFeed feed, Duration timeout) {
            this.feed = feed;
            this.timeout = timeout;
        }

        @Override
        public void start() {
            try {
                feed.start(timeout);
            } catch (Exception e) {
                throw new IllegalStateException("could not replay the audit stream of environment '"
                        + feed.ledger().environment() + "': " + e.getMessage(), e);
            }
            running = true;
        }

        @Override
        public void stop() {
            feed.close();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return PHASE;
        }
    }

    /**
     * @param replayTimeout how long start-up may take to replay the audit stream
     * @param catchUpTimeout how long a decision waits for the ledger to read the event it decides on (start-up has replayTimeout)
     * @param snapshotFile   where the service keeps its ledger's snapshot, on storage of its own (ADR 19); none: every
     *                       start replays the whole audit stream
     * @param snapshotEvery  how often the snapshot is rewritten while records arrive
     * @param snapshotKey    the secret the snapshot is sealed with; none: the service's broker password. Whoever
     *                       holds it can make the service believe a forged snapshot, so it is a secret of this
     *                       service alone; a snapshot sealed before it changed is refused once (a full replay)
     * @param auditCheckAfter how long after its confirm an event this service published must be in the audit stream
     *                       before it is published again ({@link AuditCheck})
     */
    @ConfigurationProperties("stagecoach.ledger")
    public record LedgerProperties(@DefaultValue("60s") Duration replayTimeout,
                                   @DefaultValue("10s") Duration catchUpTimeout,
                                   Path snapshotFile,
                                   @DefaultValue("1m") Duration snapshotEvery,
                                   String snapshotKey,
                                   @DefaultValue("5s") Duration auditCheckAfter) {
    }
}
