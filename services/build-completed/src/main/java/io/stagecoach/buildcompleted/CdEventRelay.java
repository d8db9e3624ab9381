package io.stagecoach.buildcompleted;

import io.stagecoach.buildcompleted.webhook.BuildRequests;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.support.inbound.DeadLetters.ReasonClass;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Component;

/**
 * A CDEvent a CI published to the inbox ({@code artifact.published} or {@code build.finished} under
 * {@code build.completed.<env>}, ADR 43): the build it announces is published as a {@code build.completed} of this
 * service, as the webhook does, under an id derived from the CDEvent's (a redelivery or a second announcement is
 * the same event), and comes back through the inbox like any build. A CDEvent that is no build, or lacks what a
 * build needs, is dead-lettered with what is wrong.
 */
@Component
class CdEventRelay {

    private static final Logger log = LoggerFactory.getLogger(CdEventRelay.class);

    private final BuildRequests requests = new BuildRequests(new EventCodec());
    private final BuildHandler handler;
    private final EventPublisher publisher;
    private final DeadLetters deadLetters;

    CdEventRelay(BuildHandler handler, EventPublisher publisher, DeadLetters deadLetters) {
        this.handler = handler;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
    }

    /** Whether the delivery is a CDEvent, which this relays rather than the inbox's checks judging it. */
    boolean takes(Message message) {
        return BuildRequests.isCdEvent(message.getBody());
    }

    void relay(Message message) {
        byte[] body = message.getBody();
        String cdEventId = BuildRequests.cdEventId(body);
        String key = cdEventId != null ? cdEventId : message.getMessageProperties().getMessageId();
        String eventId = EventIds.derive(EventType.BUILD_COMPLETED.type(), handler.environment(), "cdevent",
                String.valueOf(key));
        CloudEvent<BuildCompleted> build;
        try {
            build = requests.read(body, handler.environment(), "/stagecoach/" + handler.environment()
                    + "/build-completed/cdevents", eventId);
        } catch (InvalidEventException e) {
            log.warn("Dead-lettered CDEvent {}: {}", key, String.join("; ", e.problems()));
            deadLetters.deadLetter(message, ReasonClass.INVALID, "not a build Stagecoach can take: "
                    + String.join("; ", e.problems()));
            return;
        }
        if (handler.seen(eventId)) {
            log.info("CDEvent {} was relayed before as {}", key, eventId);
            return;
        }
        publisher.publish(build);
        log.info("Relayed CDEvent {} ({} bytes) as build.completed {} of {} {}", key,
                body.length, eventId, build.data().release().service(),
                build.data().release().version());
    }
}
