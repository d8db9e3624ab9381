package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;

import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes one event the way the pipeline's services do: validated before anything is sent, persistent,
 * mandatory and confirmed, with {@code user_id} set to the connection's user (the broker checks it). It
 * succeeded only when the broker confirmed it and did not return it; there is nothing else to undo, as one
 * event is one message.
 */
final class EventSender {

    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    static final String APP_ID = "stagecoach-cli";

    private final EventCodec codec = new EventCodec();
    private final Broker broker;

    EventSender(Broker broker) {
        this.broker = broker;
    }

    /**
     * Validates {@code event}; an invalid one is a usage error naming each problem, with the option that set the
     * field where one did ({@code fields} maps e.g. {@code data.release.digest} to {@code --image}).
     */
    byte[] encode(CloudEvent<?> event, Map<String, String> fields) {
        try {
            return codec.encode(event);
        } catch (InvalidEventException e) {
            StringBuilder message = new StringBuilder("The ").append(event.eventType().eventName())
                    .append(" event would be invalid, so nothing was sent:");
            for (String problem : e.problems()) {
                message.append(System.lineSeparator()).append("  - ").append(optionFor(problem, fields));
            }
            throw CliException.usage(message.toString());
        }
    }

    private static String optionFor(String problem, Map<String, String> fields) {
        int colon = problem.indexOf(':');
        String field = colon < 0 ? "" : problem.substring(0, colon);
        String option = fields.get(field);
        return option == null ? problem : option + " (" + field + ")" + problem.substring(colon);
    }

    /** Publishes {@code event} into {@code environment}'s vhost as {@code role}'s user. */
    void publish(Environment environment, Principal role, CloudEvent<?> event, byte[] body) {
        String user = broker.userFor(environment, role);
        try (Connection connection = broker.connect(environment, role)) {
            publish(connection, environment, user, event, body);
        } catch (IOException e) {
            // closing after a confirmed publish: the event is out, nothing to report
        }
    }

    /** Publishes {@code event} on an open connection of {@code user} to {@code environment}'s vhost. */
    void publish(Connection connection, Environment environment, String user, CloudEvent<?> event, byte[] body) {
        String routingKey = event.routingKey();
        AtomicReference<String> returned = new AtomicReference<>();
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.addReturnListener(r -> returned.set(r.getReplyCode() + " " + r.getReplyText()));
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .deliveryMode(2)
                    .messageId(event.id())
                    .correlationId(event.correlationid())
                    .type(event.type())
                    .timestamp(Date.from(event.time()))
                    .userId(user)
                    .appId(APP_ID)
                    .build();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties, body);
            boolean acked = channel.waitForConfirms(CONFIRM_TIMEOUT.toMillis());
            if (!acked) {
                throw CliException.pipeline("RabbitMQ did not take " + routingKey + " (negative acknowledgement): "
                        + "a queue is full or unavailable; nothing was delivered — try again in a moment");
            }
            if (returned.get() != null) {
                throw CliException.pipeline("No queue took " + routingKey + " in vhost " + environment.vhost() + " ("
                        + returned.get() + "): nothing was delivered — the broker is not provisioned for environment "
                        + environment.name() + "; run `stagecoach provision`");
            }
        } catch (TimeoutException e) {
            throw CliException.broker("RabbitMQ at " + broker.address() + " did not confirm " + routingKey + " within "
                    + CONFIRM_TIMEOUT.toSeconds() + " s; it may or may not have been delivered — publishing again is "
                    + "safe (the event id " + event.id() + " makes a repeat a duplicate)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.broker("Interrupted while waiting for RabbitMQ to confirm " + routingKey, e);
        } catch (ShutdownSignalException | IOException e) {
            ShutdownSignalException signal = Broker.find(e, ShutdownSignalException.class);
            if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close) {
                throw broker.channelClosed(close, environment, user, e);
            }
            throw broker.explain(e, environment, user);
        }
    }
}
