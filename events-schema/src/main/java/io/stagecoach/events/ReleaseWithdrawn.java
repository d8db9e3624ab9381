package io.stagecoach.events;

/**
 * An environment held a release it had verified (rolled it back, held it after a failed rollback, or saw it fail
 * its smoke tests again): the next environment may no longer take it on that verification. Published by the
 * rollback service of {@code withdrawnIn}, addressed to {@code environment}, which it reaches through the hand-off
 * shovel. There, pending approval requests for the release end, late decisions are refused and promotions of it
 * are blocked.
 *
 * @param release     the release that is withdrawn
 * @param environment the environment it may no longer enter (the next one; the envelope's {@code environment})
 * @param withdrawnIn the environment that held it and whose verification no longer stands
 * @param trigger     what made the rollback service act
 * @param message     a human-readable explanation
 */
public record ReleaseWithdrawn(Release release, String environment, String withdrawnIn, Trigger trigger,
                               String message) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.RELEASE_WITHDRAWN;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
