package io.stagecoach.events;

/**
 * A decision the approval service did not accept: forged, unauthorised or stale. Audited, never acted on.
 *
 * @param requestId   the request the decision named, or null if it named none that exists
 * @param service     the service the decision named
 * @param release     the release of the pending request, or null if there is none
 * @param environment the gated environment
 * @param attemptedBy who the decision claims decided
 * @param publisher   the broker-validated {@code user_id} of the message, or null if it carried none
 * @param reason      the rule the decision broke
 * @param message     a human-readable explanation
 */
public record ApprovalRefused(String requestId, String service, Release release, String environment,
                              String attemptedBy, String publisher, Reason reason, String message)
        implements EventData {

    public enum Reason {
        /** Published by a user that is not a configured decision publisher. */
        UNTRUSTED_PUBLISHER,
        /** The message carried no broker-validated {@code user_id}. */
        MISSING_USER_ID,
        /** The person is not an approver of the environment. */
        NOT_AN_APPROVER,
        /** The person authored the release. */
        SELF_APPROVAL,
        /** No such request exists. */
        UNKNOWN_REQUEST,
        /** The decision names another build than the request. */
        DIGEST_MISMATCH,
        /** The request expired before the decision. */
        EXPIRED,
        /** A newer release superseded the request. */
        SUPERSEDED,
        /** The previous environment withdrew the release the request is for. */
        WITHDRAWN,
        /** The request was already granted or rejected. */
        ALREADY_DECIDED,
        /** An override came without a reason. */
        OVERRIDE_WITHOUT_REASON,
        /**
         * The environment verifies people, and the decision is not a person's signed request: none, a signature
         * that does not hold, a time out of the window, an unknown person, or content other than the decision's.
         */
        UNVERIFIED,
        /** The signed request was already counted for a decision (the same click sent again). */
        REPLAYED
    }

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_REFUSED;
    }

    @Override
    public String subject() {
        return service;
    }
}
