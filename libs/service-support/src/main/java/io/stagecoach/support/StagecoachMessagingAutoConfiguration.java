package io.stagecoach.support;

import com.rabbitmq.client.Address;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.EventCodec;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.support.inbound.DeadLetteringRecoverer;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.inbound.InboxListeners;
import io.stagecoach.support.publish.ConfirmedSend;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.support.publish.RabbitEventPublisher;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.util.List;
import java.util.Optional;

/**
 * Confirmed event publishing, inbound checks and dead-lettering with a reason, on the connection
 * {@link StagecoachAutoConfiguration} set up.
 */
@AutoConfiguration(after = { StagecoachAutoConfiguration.class, RabbitAutoConfiguration.class })
@ConditionalOnBean({ ConnectionFactory.class, StagecoachIdentity.class })
@EnableConfigurationProperties(LeadershipProperties.class)
public final class StagecoachMessagingAutoConfiguration {

    /** Gauge, tagged {@code environment}: 1 while this replica runs its service's sweeps and timers, else 0. */
    public static final String LEADER_METER = "stagecoach.leader";

    /**
     * Counter of AMQP connections this service opened, tagged {@code environment} and {@code purpose}
     * ({@code messaging}: inboxes and publishing; {@code ledger}: the audit stream's feed and its start-up probe).
     * After start it stays still: a decision opens none.
     */
    public static final String CONNECTIONS_OPENED_METER = "stagecoach.amqp.connections.opened";

    /** Counts the connections of the connection factory the inboxes and the publisher share. */
    @Bean
    OpenedConnections stagecoachOpenedConnections(ConnectionFactory connectionFactory, StagecoachIdentity identity,
            ObjectProvider<MeterRegistry> meterRegistry) {
        Counter counter = Counter.builder(CONNECTIONS_OPENED_METER)
                .description("AMQP connections this service opened")
                .tag("environment", identity.environmentName())
                .tag("purpose", "messaging")
                .register(registry(meterRegistry));
        connectionFactory.addConnectionListener(connection -> counter.increment());
        return new OpenedConnections(counter);
    }

    /** The counter of {@link #CONNECTIONS_OPENED_METER} for the shared connection factory. */
    public record OpenedConnections(Counter counter) {
    }

    @Bean
    @ConditionalOnMissingBean
    EventCodec stagecoachEventCodec() {
        return new EventCodec();
    }

    @Bean
    @ConditionalOnMissingBean
    ConfirmedSend stagecoachConfirmedSend(ConnectionFactory connectionFactory, StagecoachProperties properties) {
        return new ConfirmedSend(connectionFactory, properties.publish().confirmTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    EventPublisher stagecoachEventPublisher(ConfirmedSend send, EventCodec codec, StagecoachIdentity identity,
            ObjectProvider<MeterRegistry> meterRegistry) {
        return new RabbitEventPublisher(send, codec, identity, registry(meterRegistry));
    }

    @Bean
    @ConditionalOnMissingBean
    Provenance stagecoachProvenance(Environments environments) {
        return Provenance.of(environments);
    }

    @Bean
    @ConditionalOnMissingBean
    DeadLetters stagecoachDeadLetters(ConfirmedSend send, StagecoachIdentity identity,
            ObjectProvider<MeterRegistry> meterRegistry) {
        return new DeadLetters(send, identity, registry(meterRegistry));
    }

    @Bean
    @ConditionalOnMissingBean
    InboundEvents stagecoachInboundEvents(EventCodec codec, Provenance provenance,
            DeadLetters deadLetters, StagecoachIdentity identity, ObjectProvider<MeterRegistry> meterRegistry) {
        return new InboundEvents(codec, provenance, deadLetters, identity, registry(meterRegistry));
    }

    /** Picked up by Boot's listener container factory: a listener on an inbox that does not exist here stays stopped. */
    @Bean
    @ConditionalOnMissingBean
    InboxListeners stagecoachInboxListeners(StagecoachIdentity identity, PublishingRights rights) {
        return new InboxListeners(identity, rights);
    }

    /**
     * Picked up by Boot's listener retry: what failed on every attempt because the broker or the ledger could not be
     * reached goes back to its inbox once the broker answers; anything else is dead-lettered with the reason.
     */
    @Bean
    @ConditionalOnMissingBean
    MessageRecoverer stagecoachDeadLetteringRecoverer(DeadLetters deadLetters, ConnectionFactory connectionFactory,
            StagecoachProperties stagecoach, ObjectProvider<MeterRegistry> meterRegistry) {
        return new DeadLetteringRecoverer(deadLetters, () -> brokerAnswers(connectionFactory),
                stagecoach.inbox().outageWait(), registry(meterRegistry));
    }

    /** Whether the broker takes a connection now (the shared one, when it is open). */
    static boolean brokerAnswers(ConnectionFactory connectionFactory) {
        try (var connection = connectionFactory.createConnection()) {
            return connection.isOpen();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Which replica runs the service's sweeps and timers (ADR 22). */
    @Bean
    @ConditionalOnMissingBean
    Leadership stagecoachLeadership(AbstractConnectionFactory connectionFactory, StagecoachIdentity identity,
            LeadershipProperties properties, StagecoachProperties stagecoach,
            ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<RabbitConnectionDetails> broker) {
        Leadership leadership = new Leadership(connectionFactory.getRabbitConnectionFactory(), identity,
                properties.retryInterval(), StagecoachAutoConfiguration.connectionName(identity.user() + " leadership",
                        stagecoach));
        clusterNodes(broker).ifPresent(leadership::nodes);
        Gauge.builder(LEADER_METER, leadership, l -> l.isLeader() ? 1 : 0)
                .description("1 while this replica runs its service's sweeps and timers, else 0")
                .tag("environment", identity.environmentName())
                .register(registry(meterRegistry));
        return leadership;
    }

    /**
     * Every node of {@code spring.rabbitmq.addresses} when it names more than one: the connections the services open
     * themselves (leadership, ledger) then fail over as Spring's own do, instead of only ever trying the first node.
     */
    static Optional<List<Address>> clusterNodes(ObjectProvider<RabbitConnectionDetails> broker) {
        RabbitConnectionDetails details = broker.getIfAvailable();
        if (details == null || details.getAddresses().size() < 2) {
            return Optional.empty();
        }
        return Optional.of(details.getAddresses().stream().map(a -> new Address(a.host(), a.port())).toList());
    }

    static MeterRegistry registry(ObjectProvider<MeterRegistry> meterRegistry) {
        return meterRegistry.getIfUnique(SimpleMeterRegistry::new);
    }
}
