package io.stagecoach.support.inbound;

import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.inbound.DeadLetters.ReasonClass;

import org.springframework.amqp.core.Message;

/**
 * The checks every delivery passes before a service acts on it. A thin {@code @RabbitListener} method hands the
 * raw {@link Message} here:
 *
 * <pre>{@code
 * @RabbitListener(queues = "promotion.smoketest-passed")
 * void onSmokeTestPassed(Message message) throws Exception {
 *     inbound.receive(message, SmokeTestPassed.class, event -> publisher.publishAll(policy.decide(event)));
 * }
 * }</pre>
 *
 * A delivery that is not a valid event, belongs to another environment, or does not count by the one rule of
 * {@link Provenance} (its routing key and broker-validated {@code user_id} must be those of its type's producers
 * here; builds from CI may come without {@code user_id}) is dead-lettered with the reason and returns normally (the
 * container acks it): never handled, never retried. An exception from the handler propagates, so the listener
 * retry repeats the delivery and finally the recoverer dead-letters it. A replayed dead letter is judged by the
 * routing key and publisher it was first published with ({@link Origin}); one whose origin nobody vouches for is
 * refused.
 */
public final class InboundEvents {

    /** Counter of refused deliveries, tagged {@code type} and {@code reason}. */
    public static final String REFUSED_METER = "stagecoach.events.refused";

    private final EventCodec codec;
    private final Provenance provenance;
    private final DeadLetters deadLetters;
    private final StagecoachIdentity identity;
    private final MeterRegistry meterRegistry;

    public InboundEvents(EventCodec codec, Provenance provenance, DeadLetters deadLetters,
            StagecoachIdentity identity, MeterRegistry meterRegistry) {
        this.codec = codec;
        this.provenance = provenance;
        this.deadLetters = deadLetters;
        this.identity = identity;
        this.meterRegistry = meterRegistry;
    }

    /** Checks the delivery and hands an accepted event of any type to {@code handler}. */
    public void receive(Message message, EventHandler<EventData> handler) throws Exception {
        receive(message, EventData.class, handler);
    }

    /**
     * Checks the delivery and hands an accepted event to {@code handler}; an event whose data is not a
     * {@code dataType} is refused.
     */
    public <T extends EventData> void receive(Message message, Class<T> dataType, EventHandler<T> handler)
            throws Exception {
        Optional<CloudEvent<T>> accepted = accept(message, dataType);
        if (accepted.isPresent()) {
            handler.handle(accepted.get());
        }
    }

    /**
     * Decodes and checks the delivery. An empty result means it was dead-lettered with the reason and must
     * not be acted on.
     */
    public <T extends EventData> Optional<CloudEvent<T>> accept(Message message, Class<T> dataType) {
        Origin origin = origin(message);
        String routingKey = origin.routingKey();
        CloudEvent<?> event;
        try {
            event = codec.decode(message.getBody());
        }
        catch (InvalidEventException ex) {
            refuse(message, typeTag(routingKey), "invalid", ReasonClass.INVALID,
                    "invalid event: " + String.join("; ", ex.problems()));
            return Optional.empty();
        }
        EventType type = event.eventType();
        if (!origin.attested()) {
            return refused(message, type, "replay-unattested", "event " + event.id() + ": " + origin.refusal());
        }
        String environment = identity.environmentName();
        if (!environment.equals(event.environment())) {
            return refused(message, type, "wrong-environment", "event " + event.id() + " is addressed to environment '"
                    + event.environment() + "', this is '" + environment + "'");
        }
        Optional<Provenance.Refusal> refusal = provenance.judge(environment, type, event.environment(), routingKey,
                origin.publisher());
        if (refusal.isPresent()) {
            return refused(message, type, refusal.get().reason(), "event " + event.id() + ": "
                    + refusal.get().message());
        }
        if (!dataType.isInstance(event.data())) {
            return refused(message, type, "wrong-type", "event " + event.id() + " is a " + type.eventName()
                    + ", this inbox handles " + dataType.getSimpleName());
        }
        @SuppressWarnings("unchecked")
        CloudEvent<T> typed = (CloudEvent<T>) event;
        return Optional.of(typed);
    }

    /**
     * Where {@code message} came from: what the broker says of this delivery, or for a replayed dead letter what
     * the dead letter says of the delivery it was ({@link Origin}).
     */
    public Origin origin(Message message) {
        return Origin.of(message.getMessageProperties(), identity.user());
    }

    private <T extends EventData> Optional<CloudEvent<T>> refused(Message message, EventType type, String reasonTag,
            String reason) {
        refuse(message, type.eventName(), reasonTag, ReasonClass.REFUSED, reason);
        return Optional.empty();
    }

    private void refuse(Message message, String typeTag, String reasonTag, ReasonClass reasonClass, String reason) {
        deadLetters.deadLetter(message, reasonClass, reason);
        Counter.builder(REFUSED_METER)
                .description("Deliveries refused before handling, by event type and reason")
                .tag("type", typeTag)
                .tag("reason", reasonTag)
                .register(meterRegistry)
                .increment();
    }

    /** The event name a routing key claims ({@code build.completed} of {@code build.completed.dev}). */
    private static String typeTag(String routingKey) {
        if (routingKey == null) {
            return "unknown";
        }
        String[] parts = routingKey.split("\\.", 3);
        return parts.length < 2 ? "unknown"
                : EventType.fromEventName(parts[0] + "." + parts[1]).map(EventType::eventName).orElse("unknown");
    }
}
