package io.stagecoach.support.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

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

    /**
     * Calls {@code listener} with each event the broker confirmed, on the publishing thread, after the confirm.
     * A publisher that confirms nothing (a test's) may ignore it.
     */
    default void onConfirmed(Consumer<CloudEvent<?>> listener) {
    }

    /** Publishes in order, each confirmed before the next; stops at the first failure. */
    default void publishAll(List<? extends CloudEvent<?>> events) {
        events.forEach(this::publish);
    }

    /**
     * Publishes in order, as {@link #publishAll}, the events whose id {@code seen} does not know: a redelivery
     * leaves out what was published before a crash. Returns the events it published.
     */
    default <E extends CloudEvent<?>> List<E> publishUnseen(List<E> events, Predicate<String> seen) {
        return publishUnseen(events, seen, event -> { });
    }

    /**
     * As {@link #publishUnseen(List, Predicate)}, and hands each event to {@code published} as soon as the broker
     * took it, before the next is published: what was published is logged and counted even if a later one fails.
     */
    default <E extends CloudEvent<?>> List<E> publishUnseen(List<E> events, Predicate<String> seen,
            Consumer<? super E> published) {
        List<E> done = new ArrayList<>();
        for (E event : events) {
            if (!seen.test(event.id())) {
                publish(event);
                published.accept(event);
                done.add(event);
            }
        }
        return done;
    }
}
