package io.stagecoach.events;

/**
 * What runs in an environment is again what its ledger recorded, after a {@code drift.detected}.
 *
 * @param service     the service
 * @param environment the environment
 * @param recorded    what the ledger recorded, which the deploy target and the workload agree with again
 * @param detectedId  the id of the {@code drift.detected} this ends
 */
public record DriftCleared(String service, String environment, DriftDetected.Side recorded, String detectedId)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.DRIFT_CLEARED;
    }

    @Override
    public String subject() {
        return service;
    }
}
