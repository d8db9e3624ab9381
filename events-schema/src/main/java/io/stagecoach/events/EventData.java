package io.stagecoach.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The {@code data} of a pipeline event: one record per {@link EventType}. Sealed because the codec and
 * the schemas know exactly these records; a new event type is a new record, schema and example here.
 */
public sealed interface EventData permits BuildCompleted, PromotionRequested, PromotionBlocked,
        DeploymentCompleted, DeploymentFailed, SmokeTestPassed, SmokeTestFailed, ApprovalRequested,
        ApprovalOpened, ApprovalDecided, ApprovalGranted, ApprovalRejected, ApprovalRefused, ApprovalExpired,
        AlertFiring, RollbackRequested, RollbackCompleted, RollbackFailed, LedgerCheckpointed, ReleaseWithdrawn,
        HoldReleased, DriftDetected, DriftCleared, PromotionFrozen,
        LineStopped, LineRestarted {

    /** The type this data travels as; never written into the JSON. */
    @JsonIgnore
    EventType eventType();

    /** The service this event is about: the CloudEvents {@code subject}; never written into the JSON. */
    @JsonIgnore
    String subject();
}
