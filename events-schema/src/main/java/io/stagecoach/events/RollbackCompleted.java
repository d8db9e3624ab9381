package io.stagecoach.events;

/**
 * The rollback service put back the last verified release; the bad one is held.
 *
 * @param environment the environment
 * @param service     the service
 * @param from        the release that was running (now held)
 * @param to          the verified release running again
 * @param trigger     what caused the rollback
 * @param revision    what the deploy target recorded: a Git commit, a rollout revision
 */
public record RollbackCompleted(String environment, String service, Release from, Release to, Trigger trigger,
                                String revision) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.ROLLBACK_COMPLETED;
    }

    @Override
    public String subject() {
        return service;
    }
}
