package io.stagecoach.events;

import java.time.Instant;

/**
 * An operator stops the line: the environment takes no promotion from now on, as during a window of its freeze
 * schedule, until {@code until} or until an operator restarts it ({@link LineRestarted}). What arrives meanwhile is
 * parked ({@code promotion.frozen}); rollbacks go on.
 *
 * @param environment the environment stopped
 * @param stoppedBy   who stopped it
 * @param reason      why (required)
 * @param until       when it restarts by itself, or null: only an operator restarts it
 */
public record LineStopped(String environment, String stoppedBy, String reason, Instant until) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.LINE_STOPPED;
    }

    /** The environment: a stop is about all its services. */
    @Override
    public String subject() {
        return environment;
    }
}
