package io.stagecoach.slackbot;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.topology.BrokerDefinitions;

/**
 * The bot's one connection to its environment's vhost, as the chatops user: it publishes decisions (persistent,
 * mandatory, with its {@code user_id}, confirmed) and consumes {@code chatops.approvals}. The client recovers the
 * connection and the consumer after a broker restart.
 */
class ChatopsBroker implements AutoCloseable {

    /** The AMQP app-id of what the bot publishes. */
    static final String APP_ID = "stagecoach-slack-bot";

    private final SlackBotProperties properties;
    private final EventCodec codec = new EventCodec();
    private final String user;
    private final Connection connection;
    private final Channel publishing;
    private final Map<String, String> returned = new ConcurrentHashMap<>();
    private Channel consuming;

    ChatopsBroker(SlackBotProperties properties) throws IOException, TimeoutException {
        this.properties = properties;
        this.user = properties.user() != null ? properties.user() : Principal.CHATOPS.userIn(properties.vhost());
        String password = properties.password() != null ? properties.password()
                : Credentials.fromEnvironment().password(user);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setVirtualHost(properties.vhost());
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setAutomaticRecoveryEnabled(true);
        List<Address> addresses = new ArrayList<>();
        properties.amqpAddresses().forEach(address -> addresses.add(Address.parseAddress(address)));
        this.connection = factory.newConnection(addresses, APP_ID + " " + properties.environment());
        this.publishing = connection.createChannel();
        publishing.confirmSelect();
        publishing.addReturnListener(back -> returned.put(back.getProperties().getMessageId(),
                back.getReplyText()));
    }

    String user() {
        return user;
    }

    /** The user whose events on the feed count: the environment's approval service. */
    String approvalUser() {
        return Principal.APPROVAL.userIn(properties.vhost());
    }

    /**
     * Publishes {@code event} and waits for the broker to confirm it; an {@link IOException} when it was not
     * confirmed in time, was refused, or no queue took it.
     */
    synchronized void publish(CloudEvent<?> event) throws IOException {
        byte[] body = codec.encode(event);
        AMQP.BasicProperties amqp = new AMQP.BasicProperties.Builder()
                .contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2).messageId(event.id()).type(event.type())
                .userId(user).appId(APP_ID).build();
        returned.remove(event.id());
        publishing.basicPublish(BrokerNames.EVENTS_EXCHANGE, event.routingKey(), true, amqp, body);
        try {
            publishing.waitForConfirmsOrDie(properties.confirmTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the broker's confirm", e);
        } catch (TimeoutException e) {
            throw new IOException("the broker did not confirm " + event.type() + " " + event.id() + " within "
                    + properties.confirmTimeout(), e);
        }
        String why = returned.remove(event.id());
        if (why != null) {
            throw new IOException("no queue took " + event.routingKey() + " (" + why + ")");
        }
    }

    /** Consumes the environment's {@code chatops.approvals}, acknowledging each delivery once handled. */
    synchronized void consume(Handler handler) throws IOException {
        consuming = connection.createChannel();
        consuming.basicQos(16);
        Channel channel = consuming;
        DeliverCallback deliver = (tag, delivery) -> {
            try {
                handler.handle(delivery.getProperties().getUserId(), codec.decode(delivery.getBody()));
            } catch (RuntimeException e) {
                // an event it cannot show is not worth a redelivery loop: the audit stream keeps it
                org.slf4j.LoggerFactory.getLogger(ChatopsBroker.class).warn("Could not show {} in Slack: {}",
                        delivery.getProperties().getMessageId(), e.toString());
            }
            channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        };
        channel.basicConsume(BrokerDefinitions.CHATOPS_FEED, false, APP_ID, deliver, tag -> { });
    }

    /** What the bot does with an event of its feed, published by {@code userId}. */
    interface Handler {
        void handle(String userId, CloudEvent<?> event);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
