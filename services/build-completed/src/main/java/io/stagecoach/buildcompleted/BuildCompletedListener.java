package io.stagecoach.buildcompleted;

import java.util.Optional;

import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.support.inbound.DeadLetters.ReasonClass;
import io.stagecoach.support.inbound.InboundEvents;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * The inbox: builds from CI (and from this service's own webhook) that pass the inbound checks go to the handler; a
 * build it refuses is dead-lettered with the reason. A CDEvent announcing a build is relayed as one
 * ({@link CdEventRelay}).
 */
@Component
class BuildCompletedListener {

    /** {@code BrokerNames.inboxQueue("build-completed", EventType.BUILD_COMPLETED)}. */
    static final String INBOX = "build-completed.build-completed";

    private final InboundEvents inbound;
    private final BuildHandler handler;
    private final DeadLetters deadLetters;
    private final CdEventRelay cdEvents;

    BuildCompletedListener(InboundEvents inbound, BuildHandler handler, DeadLetters deadLetters,
            CdEventRelay cdEvents) {
        this.inbound = inbound;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.cdEvents = cdEvents;
    }

    @RabbitListener(queues = INBOX)
    void onBuildCompleted(Message message) throws Exception {
        if (cdEvents.takes(message)) {
            cdEvents.relay(message);
            return;
        }
        Optional<CloudEvent<BuildCompleted>> build = inbound.accept(message, BuildCompleted.class);
        if (build.isEmpty()) {
            return;
        }
        Optional<Refuse> refused = handler.handle(build.get());
        if (refused.isPresent()) {
            deadLetters.deadLetter(message, ReasonClass.REFUSED, refused.get().reason());
        }
    }
}
