package io.stagecoach.events;

/**
 * The rollback service could not put back a verified release; people must act.
 *
 * @param environment the environment
 * @param service     the service
 * @param from        the release that was running, or null if unknown
 * @param to          the verified release it tried to put back, or null if there was none
 * @param reason      what went wrong, for people
 * @param trigger     what caused the rollback attempt
 */
public record RollbackFailed(String environment, String service, Release from, Release to, String reason,
                             Trigger trigger) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.ROLLBACK_FAILED;
    }

    @Override
    public String subject() {
        return service;
    }
}
