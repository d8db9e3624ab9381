package io.stagecoach.support.publish;

import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.support.StagecoachIdentity;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Publishes CloudEvents in structured mode into {@code stagecoach.events}, as this service's user
 * ({@code user_id}, validated by the broker), persistent, mandatory, and confirmed.
 */
public final class RabbitEventPublisher implements EventPublisher {

    /** Counter of publishes, tagged {@code type} and {@code outcome} (confirmed, or a failure cause). */
    public static final String PUBLISHED_METER = "stagecoach.events.published";

    private final ConfirmedSend send;
    private final EventCodec codec;
    private final StagecoachIdentity identity;
    private final MeterRegistry meterRegistry;
    private final List<Consumer<CloudEvent<?>>> confirmed = new CopyOnWriteArrayList<>();

    public RabbitEventPublisher(ConfirmedSend send, EventCodec codec, StagecoachIdentity identity,
            MeterRegistry meterRegistry) {
        this.send = send;
        this.codec = codec;
        this.identity = identity;
        this.meterRegistry = meterRegistry;
    }

    @Override
    public void publish(CloudEvent<?> event) {
        byte[] body = codec.encode(event);
        EventType type = event.eventType();
        String routingKey = event.routingKey();
        String what = "event " + event.id() + " (" + event.type() + ")";
        try {
            send.send(BrokerNames.EVENTS_EXCHANGE, routingKey, new Message(body, properties(event)), what);
        }
        catch (PublishFailedException ex) {
            count(type, ex.failure().name().toLowerCase(Locale.ROOT));
            throw ex;
        }
        count(type, "confirmed");
        confirmed.forEach(listener -> listener.accept(event));
    }

    @Override
    public void onConfirmed(Consumer<CloudEvent<?>> listener) {
        confirmed.add(listener);
    }

    private MessageProperties properties(CloudEvent<?> event) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(BrokerNames.CONTENT_TYPE);
        properties.setMessageId(event.id());
        properties.setUserId(identity.user());
        properties.setAppId(identity.service().id());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setCorrelationId(event.correlationid());
        properties.setType(event.type());
        properties.setTimestamp(Date.from(event.time()));
        return properties;
    }

    private void count(EventType type, String outcome) {
        Counter.builder(PUBLISHED_METER)
                .description("Events published, by type and outcome")
                .tag("type", type.eventName())
                .tag("outcome", outcome)
                .register(meterRegistry)
                .increment();
    }
}
