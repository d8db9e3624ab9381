package io.stagecoach.support;

import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;

import java.time.Duration;

/**
 * The environment's ledger, replayed from its audit stream while the context starts — so it is complete before
 * any listener container takes its first delivery — and followed live afterwards.
 */
@AutoConfiguration(after = StagecoachMessagingAutoConfiguration.class)
@EnableConfigurationProperties(StagecoachLedgerAutoConfiguration.LedgerProperties.class)
public final class StagecoachLedgerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EnvironmentLedger environmentLedger(StagecoachIdentity identity) {
        return new EnvironmentLedger(identity.environmentName());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LedgerFeed ledgerFeed(AbstractConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec,
                          LedgerProperties properties) throws Exception {
        // same broker, vhost and user as the inboxes, on a connection of its own
        return new LedgerFeed(connectionFactory.getRabbitConnectionFactory(), ledger, codec)
                .start(properties.replayTimeout());
    }

    /**
     * @param replayTimeout how long start-up may take to replay the audit stream
     * @param catchUpTimeout how long a decision waits for the ledger to reach the stream's end
     */
    @ConfigurationProperties("stagecoach.ledger")
    public record LedgerProperties(@DefaultValue("60s") Duration replayTimeout,
                                   @DefaultValue("10s") Duration catchUpTimeout) {
    }
}
