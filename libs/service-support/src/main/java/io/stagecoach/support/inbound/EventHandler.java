package io.stagecoach.support.inbound;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventData;

/**
 * What a service does with an accepted event. Throwing means "could not do it now": the delivery is retried
 * a bounded number of times, then dead-lettered with the exception's message. Side effects must be
 * idempotent (the event id is the key), since a redelivery repeats them.
 */
@FunctionalInterface
public interface EventHandler<T extends EventData> {

    void handle(CloudEvent<T> event) throws Exception;
}
