package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.AuditStreamReader;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.testing.TestBroker;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Writes events into the test's environments as their producers, and reads them back as the administrator. */
final class Streams {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();
    private final Provenance provenance;
    private final Credentials credentials = Credentials.fromVariables(Map.of());

    Streams(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
        this.provenance = Provenance.of(environments);
        for (Environment environment : environments.all()) {
            broker.management().put("/api/permissions/" + enc(environment.vhost()) + "/" + enc(broker.adminUser()),
                    Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
    }

    private static String enc(String segment) {
        return io.stagecoach.testing.ManagementApi.encode(segment);
    }

    /**
     * Publishes events as their producers do (so they count): as the type's producing user, with user_id, into that
     * user's own vhost; an event for the next environment crosses through the hand-off shovel. Confirmed.
     */
    void append(CloudEvent<?>... events) throws Exception {
        for (CloudEvent<?> event : events) {
            Environment addressee = environments.get(event.environment());
            List<String> producers = List.copyOf(provenance.publishersOf(event.eventType(), addressee.name()));
            if (producers.isEmpty()) {
                throw new IllegalArgumentException("nobody may publish " + event.eventType().eventName() + " into "
                        + addressee.name());
            }
            String user = producers.stream().filter(u -> u.startsWith(addressee.vhost() + "-")).findFirst()
                    .orElse(producers.get(0));
            Environment home = environments.all().stream().filter(e -> user.startsWith(e.vhost() + "-"))
                    .reduce((a, b) -> a.vhost().length() >= b.vhost().length() ? a : b).orElseThrow();
            try (Connection connection = broker.connectionFactory(home.vhost(), user, credentials.password(user))
                    .newConnection();
                 Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, event.routingKey(), true,
                        new AMQP.BasicProperties.Builder().contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2)
                                .messageId(event.id()).userId(user).timestamp(Date.from(event.time())).build(),
                        codec.encode(event));
                channel.waitForConfirmsOrDie(10_000);
            }
        }
    }

    /** Publishes {@code event} under {@code routingKey} as {@code user} of {@code environment}: a forgery. */
    void appendAs(String environment, String user, String routingKey, CloudEvent<?> event) throws Exception {
        try (Connection connection = broker.connectionFactory(environments.get(environment).vhost(), user,
                credentials.password(user)).newConnection();
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2).messageId(event.id()).userId(user)
                    .build(), codec.encode(event));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    /** Everything in an environment's audit stream now. */
    List<AuditMessage> audit(String environmentName) throws Exception {
        Environment environment = environments.get(environmentName);
        try (Connection connection = broker.adminConnectionFactory(environment.vhost()).newConnection()) {
            return new AuditStreamReader(connection).read(StreamOffset.first(), 10_000, Duration.ofMillis(700));
        }
    }

    List<CloudEvent<?>> auditEvents(String environmentName) throws Exception {
        List<CloudEvent<?>> events = new java.util.ArrayList<>();
        audit(environmentName).forEach(m -> events.add(codec.decode(m.body())));
        return events;
    }
}
