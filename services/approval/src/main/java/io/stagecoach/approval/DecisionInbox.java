package io.stagecoach.approval;

import java.util.Optional;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.support.inbound.DeadLetters.ReasonClass;
import io.stagecoach.support.inbound.Origin;

import org.springframework.amqp.core.Message;

/**
 * The inbound checks of {@code approval.decided}. Unlike the other inboxes, who published a decision is not
 * checked here: every valid decision reaches {@link ApprovalPolicy} with its publisher (null without
 * {@code user_id}), so a forged or unauthorised one is refused AND audited. What is not a decision for this
 * environment at all (not a valid event, another type or environment) is dead-lettered with the reason, as
 * elsewhere.
 */
final class DecisionInbox {

    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final ApprovalMetrics metrics;
    private final String environment;
    /** This service's broker user: a replayed dead letter it moved itself says where it came from. */
    private final String ownUser;

    DecisionInbox(EventCodec codec, DeadLetters deadLetters, ApprovalMetrics metrics, String environment,
            String ownUser) {
        this.ownUser = ownUser;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.environment = environment;
    }

    /** A decision and its broker-validated publisher. */
    record Received(CloudEvent<ApprovalDecided> decision, String publisher) {
    }

    /** The decision in {@code message}; empty when it was dead-lettered (the delivery is then done with). */
    Optional<Received> accept(Message message) {
        Origin origin = Origin.of(message.getMessageProperties(), ownUser);
        CloudEvent<?> event;
        try {
            event = codec.decode(message.getBody());
        } catch (InvalidEventException ex) {
            return refused(message, "invalid", ReasonClass.INVALID,
                    "invalid event: " + String.join("; ", ex.problems()));
        }
        if (!(event.data() instanceof ApprovalDecided)) {
            return refused(message, "wrong-type", ReasonClass.REFUSED, "event " + event.id() + " is a "
                    + event.eventType().eventName() + ", this inbox handles approval.decided");
        }
        if (!origin.attested()) {
            return refused(message, "replay-unattested", ReasonClass.REFUSED, "event " + event.id() + ": "
                    + origin.refusal());
        }
        if (!environment.equals(event.environment())) {
            return refused(message, "wrong-environment", ReasonClass.REFUSED, "event " + event.id()
                    + " is addressed to environment '" + event.environment() + "', this is '" + environment + "'");
        }
        String expectedKey = EventType.APPROVAL_DECIDED.routingKey(environment);
        String routingKey = origin.routingKey();
        if (routingKey != null && !routingKey.equals(expectedKey)) {
            return refused(message, "wrong-routing-key", ReasonClass.REFUSED, "event " + event.id()
                    + " arrived with routing key '" + routingKey + "', expected '" + expectedKey + "'");
        }
        @SuppressWarnings("unchecked")
        CloudEvent<ApprovalDecided> decision = (CloudEvent<ApprovalDecided>) event;
        return Optional.of(new Received(decision, origin.publisher()));
    }

    private Optional<Received> refused(Message message, String reasonTag, ReasonClass reasonClass, String reason) {
        deadLetters.deadLetter(message, reasonClass, reason);
        metrics.refused(reasonTag);
        return Optional.empty();
    }
}
