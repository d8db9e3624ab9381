package io.stagecoach.events;

/**
 * An operator restarts a stopped line: promotions into the environment go on, and what was parked during the stop is
 * decided (unless a window of its freeze schedule still holds).
 *
 * @param environment the environment restarted
 * @param restartedBy who restarted it
 * @param reason      why (required)
 * @param stoppedId   the id of the {@code line.stopped} it ends; another stop stays
 */
public record LineRestarted(String environment, String restartedBy, String reason, String stoppedId)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.LINE_RESTARTED;
    }

    @Override
    public String subject() {
        return environment;
    }
}
