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
import io.stagecoach.testing.TestBroker;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Writes events into and reads them from the test's environments, as the broker administrator. */
final class Streams {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();

    Streams(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
        for (Environment environment : environments.all()) {
            broker.management().put("/api/permissions/" + enc(environment.vhost()) + "/" + enc(broker.adminUser()),
                    Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
    }

    private static String enc(String segment) {
        return io.stagecoach.testing.ManagementApi.encode(segment);
    }

    /** Publishes events into their environments' exchanges (so they reach the audit stream), confirmed. */
    void append(CloudEvent<?>... events) throws Exception {
        for (CloudEvent<?> event : events) {
            Environment environment = environments.get(event.environment());
            try (Connection connection = broker.adminConnectionFactory(environment.vhost()).newConnection();
                 Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, event.routingKey(), true,
                        new AMQP.BasicProperties.Builder().contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2)
                                .messageId(event.id()).userId(broker.adminUser()).timestamp(Date.from(event.time())).build(), codec.encode(event));
                channel.waitForConfirmsOrDie(10_000);
            }
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
