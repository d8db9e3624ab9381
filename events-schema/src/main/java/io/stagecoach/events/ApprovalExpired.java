package io.stagecoach.events;

/**
 * A pending approval request ended without a decision.
 *
 * @param requestId    the request that ended
 * @param release      the release it was for
 * @param environment  the gated environment
 * @param reason       whether it timed out or a newer release replaced it
 * @param supersededBy the version of the newer release; present exactly when {@code SUPERSEDED}
 */
public record ApprovalExpired(String requestId, Release release, String environment, Reason reason,
                              String supersededBy) implements EventData {

    public enum Reason {
        /** Nobody decided within the environment's approval TTL. */
        EXPIRED,
        /** A newer release of the service asked for approval. */
        SUPERSEDED
    }

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_EXPIRED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
