package io.stagecoach.support.publish;

import java.util.List;

import io.stagecoach.events.CloudEvent;

/**
 * Publishes pipeline events into this environment's {@code stagecoach.events} exchange. A call returns only
 * when the broker has taken the event; anything else is a {@link PublishFailedException}.
 */
public interface EventPublisher {

    /**
     * Validates, publishes with routing key {@code <subject>.<outcome>.<event environment>} and waits for the
     * broker's confirm. An event addressed to the next environment carries that environment's name; the
     * hand-off binding of this vhost takes it there.
     *
     * @throws io.stagecoach.events.InvalidEventException if the event does not match its schema (nothing sent)
     * @throws PublishFailedException if the broker nacked or returned it, the confirm did not come in time, or
     * the connection failed
     */
    void publish(CloudEvent<?> event);

    /** Publishes in order, each confirmed before the next; stops at the first failure. */
    default void publishAll(List<? extends CloudEvent<?>> events) {
        events.forEach(this::publish);
    }
}
