package io.stagecoach.events;

/**
 * The deploy target could not put a release into an environment, after retries.
 *
 * @param release     the release that was to be deployed
 * @param environment the environment
 * @param target      the deploy target, e.g. {@code gitops} or {@code kubernetes}
 * @param error       what went wrong, for people
 * @param attempts    how many attempts were made
 */
public record DeploymentFailed(Release release, String environment, String target, String error, int attempts)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.DEPLOYMENT_FAILED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
