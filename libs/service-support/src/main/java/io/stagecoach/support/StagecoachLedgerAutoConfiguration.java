package io.stagecoach.support;

import com.rabbitmq.client.ConnectionFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.ledger.LedgerSnapshotFile;
import io.stagecoach.platform.topology.Provenance;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The environment's ledger, replayed from its audit stream while the context starts — so it is complete before
 * any listener container takes its first delivery — and followed live afterwards.
 */
@AutoConfiguration(after = StagecoachMessagingAutoConfiguration.class)
@EnableConfigurationProperties(StagecoachLedgerAutoConfiguration.LedgerProperties.class)
public final class StagecoachLedgerAutoConfiguration {

    /** Counter of audit records that do not count, tagged {@code type} and {@code reason}. */
    public static final String REFUSED_METER = "stagecoach.audit.refused";

    @Bean
    @ConditionalOnMissingBean
    EnvironmentLedger environmentLedger(StagecoachIdentity identity, Provenance provenance) {
        return new EnvironmentLedger(identity.environmentName(), provenance);
    }

    /** Not started here: beans may register {@link LedgerFeed#onRecord} listeners before the replay. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LedgerFeed ledgerFeed(AbstractConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec,
            StagecoachIdentity identity, LedgerProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        // same broker, vhost and user as the inboxes, on a connection of its own that recovers: a lost stream
        // consumer would stall every decision (the replay after recovery is harmless, the ledger skips what it saw)
        ConnectionFactory recovering = connectionFactory.getRabbitConnectionFactory().clone();
        recovering.setAutomaticRecoveryEnabled(true);
        recovering.setTopologyRecoveryEnabled(true);
        MeterRegistry registry = StagecoachMessagingAutoConfiguration.registry(meterRegistry);
        LedgerFeed feed = new LedgerFeed(recovering, ledger, codec);
        if (properties.snapshotFile() != null) {
            // start-up reads only what came after the last snapshot (ADR 19)
            feed.snapshotTo(new LedgerSnapshotFile(properties.snapshotFile()), properties.snapshotEvery());
        }
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
     */
    @ConfigurationProperties("stagecoach.ledger")
    public record LedgerProperties(@DefaultValue("60s") Duration replayTimeout,
                                   @DefaultValue("10s") Duration catchUpTimeout,
                                   Path snapshotFile,
                                   @DefaultValue("1m") Duration snapshotEvery) {
    }
}
