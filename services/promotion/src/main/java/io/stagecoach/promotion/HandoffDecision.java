package io.stagecoach.promotion;

import java.util.List;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.Decision;

/**
 * What {@link HandoffPolicy} made of a release that passed this environment's smoke tests, with the events to
 * publish for it.
 */
sealed interface HandoffDecision extends Decision {

    /** The next environment's gate is automatic: ask it to promote the release. */
    record Promote(CloudEvent<PromotionRequested> event) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** The next environment's gate is manual: ask its approvers. */
    record RequestApproval(CloudEvent<ApprovalRequested> event) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /**
     * The environment asks for a soak and the release has not run long enough here without an alert: nothing moves
     * on now; the leader hands it off from the pass kept in the ledger once it soaked.
     */
    record Soaking(java.time.Instant until, String why) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /** This is the last environment: the release's journey ends here, and nothing is announced. */
    record End(String why) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /**
     * The pass is stale: a newer release replaced this one here, or it was rolled back while its checks ran.
     * Nothing moves on, and the run ends with this block.
     */
    record Stopped(CloudEvent<PromotionBlocked> event) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** Nothing of the service runs here at all, which no deployment this pass followed allows: nothing to say. */
    record Ignored(String why) implements HandoffDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }
}
