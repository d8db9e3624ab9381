package io.stagecoach.events;

/**
 * An operator lifts the hold a rollback put on a release in an environment: the release may be promoted there again
 * (the next build of it, or CI's retry of the same build).
 *
 * @param release     the held release, exactly as it was held (digest included)
 * @param environment the environment that holds it
 * @param releasedBy  who lifted the hold
 * @param reason      why it may come back
 */
public record HoldReleased(Release release, String environment, String releasedBy, String reason)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.HOLD_RELEASED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
