package io.stagecoach.promotion;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
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

    /** The pass is stale (the release no longer runs here): nothing moves on. */
    record Ignored(String why) implements Handoff {
    }
}
