package io.stagecoach.events;

import java.time.Instant;
import java.util.List;

/**
 * A verified release waits for people to approve it into a manual environment.
 *
 * @param requestId    identifies this request; decisions name it
 * @param release      the release awaiting approval
 * @param environment  the gated environment the release would enter
 * @param approvers    who may approve (users or groups), from the environment's configuration
 * @param minApprovals how many distinct approvals are needed
 * @param requestedAt  when the request was made
 * @param expiresAt    when the request expires unanswered
 * @param verifiedIn   the verification the request rests on
 */
public record ApprovalRequested(String requestId, Release release, String environment, List<String> approvers,
                                int minApprovals, Instant requestedAt, Instant expiresAt, Verification verifiedIn)
        implements EventData {

    public ApprovalRequested {
        approvers = List.copyOf(approvers);
    }

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_REQUESTED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
