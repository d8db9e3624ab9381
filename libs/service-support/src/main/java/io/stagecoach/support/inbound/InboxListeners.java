package io.stagecoach.support.inbound;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.support.StagecoachIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Keeps the listener of an inbox this service has no queue for in its environment from starting. A service's
 * listeners cover every type it consumes, but the broker has an inbox for a type only where someone may publish it
 * there ({@link PublishingRights#inboxes}): the promotion service of the first environment has no
 * {@code promotion.release-withdrawn}, since no environment before it withdraws anything. Such a listener is
 * created, not started, and says why; a listener on any other queue is left as it is.
 */
public final class InboxListeners implements ContainerCustomizer<SimpleMessageListenerContainer> {

    private static final Logger log = LoggerFactory.getLogger(InboxListeners.class);

    private final StagecoachIdentity identity;
    /** This service's inbox names the broker has no queue for here, with their type. */
    private final Map<String, EventType> absent = new LinkedHashMap<>();

    public InboxListeners(StagecoachIdentity identity, PublishingRights rights) {
        this.identity = identity;
        List<EventType> here = rights.inboxes(identity.service(), identity.environmentName());
        for (EventType type : identity.service().consumes()) {
            if (!here.contains(type)) {
                absent.put(BrokerNames.inboxQueue(identity.service().id(), type), type);
            }
        }
    }

    /** Whether this service has an inbox named {@code queue} in its environment (false for other queues, too). */
    public boolean isAbsentHere(String queue) {
        return absent.containsKey(queue);
    }

    @Override
    public void configure(SimpleMessageListenerContainer container) {
        List<String> missing = Arrays.stream(container.getQueueNames()).filter(absent::containsKey).toList();
        if (missing.isEmpty()) {
            return;
        }
        container.setAutoStartup(false);
        log.info("Listener {} stays stopped: {} has no inbox {} in {}, where nobody may publish {}",
                container.getListenerId(), identity.service().id(), String.join(", ", missing),
                identity.environmentName(), String.join(", ", missing.stream().map(q -> absent.get(q).eventName())
                        .toList()));
    }
}
