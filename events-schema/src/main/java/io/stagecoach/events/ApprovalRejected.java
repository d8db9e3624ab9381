package io.stagecoach.events;

/**
 * An approver said no: the release will not enter the gated environment.
 *
 * @param requestId   the request that was rejected
 * @param release     the rejected release
 * @param environment the gated environment
 * @param rejectedBy  who rejected it
 * @param reason      why
 */
public record ApprovalRejected(String requestId, Release release, String environment, String rejectedBy,
                               String reason) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_REJECTED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
