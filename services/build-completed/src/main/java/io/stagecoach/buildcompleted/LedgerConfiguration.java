package io.stagecoach.buildcompleted;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.StagecoachIdentity;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The environment's ledger, replayed from the audit stream while the context starts, so it is complete before
 * any listener container takes its first delivery.
 */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    @Bean
    EnvironmentLedger environmentLedger(StagecoachIdentity identity) {
        return new EnvironmentLedger(identity.environmentName());
    }

    @Bean(destroyMethod = "close")
    LedgerFeed ledgerFeed(CachingConnectionFactory connectionFactory, EnvironmentLedger ledger, EventCodec codec,
            ReleaseRegistry registry, StagecoachIdentity identity, LedgerProperties properties)
            throws IOException, TimeoutException {
        // same broker, vhost and user as the service's own connections, on a connection of its own
        LedgerFeed feed = new LedgerFeed(connectionFactory.getRabbitConnectionFactory(), ledger, codec);
        feed.onRecord(record -> registry.apply(record, identity.environmentName()));
        return feed.start(properties.replayTimeout());
    }
}
