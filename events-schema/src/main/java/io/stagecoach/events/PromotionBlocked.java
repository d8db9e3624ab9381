package io.stagecoach.events;

/**
 * The promotion policy refused to put a release into an environment.
 *
 * @param release        the release that was refused
 * @param environment    the environment it was refused from
 * @param reason         the policy rule that said no
 * @param message        a human-readable explanation
 * @param runningVersion the version running in the environment at the time, or null if none
 */
public record PromotionBlocked(Release release, String environment, Reason reason, String message,
                               String runningVersion) implements EventData {

    public enum Reason {
        /** The release is older than the version already running. */
        OLDER_THAN_RUNNING,
        /** The release carries no verification from the previous environment. */
        NOT_VERIFIED,
        /** The environment is manual and no approval for exactly this release exists. */
        NO_APPROVAL,
        /** The release (or the environment) is held, e.g. after a rollback or during a freeze. */
        HELD,
        /** A newer release of the service arrived first. */
        SUPERSEDED
    }

    @Override
    public EventType eventType() {
        return EventType.PROMOTION_BLOCKED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
