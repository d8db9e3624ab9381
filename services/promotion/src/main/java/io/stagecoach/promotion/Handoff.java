package io.stagecoach.promotion;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;

/** What {@link HandoffPolicy} says to do once a release passed this environment's smoke tests. */
sealed interface Handoff {

    /** The next environment's gate is automatic: ask it to promote the release. */
    record Promote(CloudEvent<PromotionRequested> event) implements Handoff {
    }

    /** The next environment's gate is manual: ask its approvers. */
    record RequestApproval(CloudEvent<ApprovalRequested> event) implements Handoff {
    }

    /** This is the last environment: the release's journey ends here. */
    record End(String why) implements Handoff {
    }

    /**
     * The pass is stale: a newer release replaced this one here, or it was rolled back while its checks ran.
     * Nothing moves on, and the run ends with this block.
     */
    record Stopped(CloudEvent<PromotionBlocked> event) implements Handoff {
    }

    /** Nothing of the service runs here at all, which no deployment this pass followed allows: nothing to say. */
    record Ignored(String why) implements Handoff {
    }
}
