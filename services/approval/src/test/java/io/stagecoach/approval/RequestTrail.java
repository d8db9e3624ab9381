package io.stagecoach.approval;

import java.util.List;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.pipeline.AuditTrail;

/** An environment's audit stream as the approval tests read it: what counted, told apart by approval request. */
record RequestTrail(AuditTrail trail) {

    /** Every record so far that the ledger counted. */
    List<AuditRecord> all() {
        return trail.counted();
    }

    /** Counted records of {@code type} about {@code requestId} (or, for a promotion, made for it). */
    List<AuditRecord> of(EventType type, String requestId) {
        return all().stream()
                .filter(r -> r.event().eventType() == type)
                .filter(r -> requestId.equals(requestIdOf(r.event().data())))
                .toList();
    }

    private static String requestIdOf(EventData data) {
        if (data instanceof PromotionRequested p) {
            return p.approval() == null ? null : p.approval().requestId();
        }
        if (data instanceof ApprovalRefused r) {
            return r.requestId();
        }
        if (data instanceof ApprovalDecided d) {
            return d.requestId();
        }
        if (data instanceof ApprovalRequested r) {
            return r.requestId();
        }
        if (data instanceof ApprovalOpened o) {
            return o.requestId();
        }
        if (data instanceof ApprovalGranted g) {
            return g.requestId();
        }
        if (data instanceof ApprovalRejected r) {
            return r.requestId();
        }
        if (data instanceof ApprovalExpired e) {
            return e.requestId();
        }
        return null;
    }
}
