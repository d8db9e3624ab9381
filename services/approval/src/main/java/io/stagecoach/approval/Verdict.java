package io.stagecoach.approval;

import java.time.Duration;
import java.util.List;

import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.Decision;

/** What {@link ApprovalPolicy} made of one decision, with the events to publish for it, in order. */
sealed interface Verdict extends Decision
        permits Verdict.Refused, Verdict.Rejected, Verdict.VoteRecorded, Verdict.Granted {

    /** The decision is not accepted: audited, the request stays as it was. */
    record Refused(ApprovalRefused.Reason reason, CloudEvent<ApprovalRefused> refusal) implements Verdict {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(refusal);
        }
    }

    /** An allowed approver said no: the request ends. */
    record Rejected(CloudEvent<ApprovalRejected> rejection, Duration waited) implements Verdict {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(rejection);
        }
    }

    /**
     * An allowed approver said yes but more are needed. Nothing is published: the decision itself, in the audit
     * stream, is the vote.
     */
    record VoteRecorded(List<String> approvers, int needed) implements Verdict {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /** Enough approvers said yes, or one overrode the gate: grant, then ask for the promotion. */
    record Granted(CloudEvent<ApprovalGranted> grant, CloudEvent<PromotionRequested> promotion, Duration waited)
            implements Verdict {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(grant, promotion);
        }
    }
}
