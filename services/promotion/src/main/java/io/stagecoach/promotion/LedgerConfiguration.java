package io.stagecoach.promotion;

import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.StagecoachIdentity;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** This environment's ledger, replayed from its audit stream before the inboxes are consumed. */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EnvironmentLedger environmentLedger(StagecoachIdentity identity) {
        return new EnvironmentLedger(identity.environmentName());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LedgerFeed ledgerFeed(AbstractConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec,
                          PromotionProperties properties) throws Exception {
        // same broker, vhost and user as the inboxes, but recovering: a lost stream consumer would stall every
        // decision (the replay after recovery is harmless, the ledger skips what it has seen)
        ConnectionFactory feed = connectionFactory.getRabbitConnectionFactory().clone();
        feed.setAutomaticRecoveryEnabled(true);
        feed.setTopologyRecoveryEnabled(true);
        return new LedgerFeed(feed, ledger, codec).start(properties.replayTimeout());
    }
}
