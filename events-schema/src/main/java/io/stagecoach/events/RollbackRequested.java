package io.stagecoach.events;

/**
 * A person asks to roll a service back in an environment.
 *
 * @param environment the environment
 * @param service     the service
 * @param toVersion   the verified version to put back, or null for the last verified one before the current
 * @param requestedBy who asked
 * @param reason      why
 */
public record RollbackRequested(String environment, String service, String toVersion, String requestedBy,
                                String reason) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.ROLLBACK_REQUESTED;
    }

    @Override
    public String subject() {
        return service;
    }
}
