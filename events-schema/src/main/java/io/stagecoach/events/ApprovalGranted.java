package io.stagecoach.events;

import java.util.List;

/**
 * Enough approvers said yes: the release may enter the gated environment.
 *
 * @param requestId      the request that was granted
 * @param release        the approved release
 * @param environment    the gated environment
 * @param approvers      who approved, in decision order
 * @param waitedSeconds  seconds between the request and the grant
 * @param override       whether an approver overrode the gate's rules
 * @param overrideReason the reason given for the override; present exactly when {@code override}
 */
public record ApprovalGranted(String requestId, Release release, String environment, List<String> approvers,
                              long waitedSeconds, boolean override, String overrideReason) implements EventData {

    public ApprovalGranted {
        approvers = List.copyOf(approvers);
    }

    /** The approval a promotion resting on this grant carries. */
    public Approval approval() {
        return new Approval(requestId, approvers);
    }

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_GRANTED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
