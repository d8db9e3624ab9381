package io.stagecoach.events;

/**
 * A pending approval request ended without a decision.
 *
 * @param requestId    the request that ended
 * @param release      the release it was for
 * @param environment  the gated environment
 * @param reason       whether it timed out, a newer release replaced it, or the previous environment withdrew it
 * @param supersededBy the version of the newer release; present exactly when {@code SUPERSEDED}
 * @param message      a human-readable explanation; always present for {@code WITHDRAWN}: why the previous
 *                     environment withdrew the release
 */
public record ApprovalExpired(String requestId, Release release, String environment, Reason reason,
                              String supersededBy, String message) implements EventData {

    public enum Reason {
        /** Nobody decided within the environment's approval TTL. */
        EXPIRED,
        /** A newer release of the service asked for approval. */
        SUPERSEDED,
        /** The previous environment withdrew the verification the request rests on (it held the release). */
        WITHDRAWN
    }

    /** An ending for a timeout or a newer release. */
    public ApprovalExpired(String requestId, Release release, String environment, Reason reason,
                           String supersededBy) {
        this(requestId, release, environment, reason, supersededBy, null);
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
