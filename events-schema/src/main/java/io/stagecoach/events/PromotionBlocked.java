package io.stagecoach.events;

/**
 * A release goes no further: the promotion policy refused to put it into an environment, or a newer release
 * replaced it there before it moved on. The last event of its run in that environment.
 *
 * @param release        the release that was refused
 * @param environment    the environment it was refused from
 * @param reason         the policy rule that said no
 * @param message        a human-readable explanation
 * @param runningVersion the version running in the environment at the time, or null if none
 * @param supersededBy   the version of the newer release that replaced it; always present for {@code SUPERSEDED}
 */
public record PromotionBlocked(Release release, String environment, Reason reason, String message,
                               String runningVersion, String supersededBy) implements EventData {

    public enum Reason {
        /** The release is older than the version already running. */
        OLDER_THAN_RUNNING,
        /** The release carries no verification from the previous environment. */
        NOT_VERIFIED,
        /** The environment is manual and no approval for exactly this release exists. */
        NO_APPROVAL,
        /** The release (or the environment) is held, e.g. after a rollback or during a freeze. */
        HELD,
        /** A newer release of the service replaced it in the environment before it moved on. */
        SUPERSEDED,
        /** The previous environment withdrew the verification the release came with (it held the release). */
        WITHDRAWN,
        /**
         * The build itself was refused where builds enter: its version was built before with another digest, or its
         * service is not one Stagecoach promotes. The build event is also dead-lettered with the reason.
         */
        BUILD_REFUSED,
        /**
         * The environment is not ready for it: its namespace is missing, not isolated by a default-deny policy, or
         * its quota has no room for the rollout (the message names which).
         */
        PREFLIGHT_FAILED
    }

    /** A block for any reason but {@code SUPERSEDED}. */
    public PromotionBlocked(Release release, String environment, Reason reason, String message,
                            String runningVersion) {
        this(release, environment, reason, message, runningVersion, null);
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
