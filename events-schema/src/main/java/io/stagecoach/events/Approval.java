package io.stagecoach.events;

import java.util.List;

/**
 * The approval a promotion into a manual environment rests on.
 *
 * @param requestId the approval request that was granted
 * @param approvers who approved, in decision order
 */
public record Approval(String requestId, List<String> approvers) {

    public Approval {
        approvers = List.copyOf(approvers);
    }
}
