package io.stagecoach.events;

/**
 * A release now runs in an environment.
 *
 * @param release         the release that was deployed
 * @param environment     the environment it runs in
 * @param target          the deploy target that did it, e.g. {@code gitops} or {@code kubernetes}
 * @param revision        what the target recorded: a Git commit, a rollout revision
 * @param previousVersion the version that ran before, or null for a first deployment
 * @param rollback        whether this deployment put back an earlier release
 */
public record DeploymentCompleted(Release release, String environment, String target, String revision,
                                  String previousVersion, boolean rollback) implements EventData {

    @Override
    public EventType eventType() {
        return EventType.DEPLOYMENT_COMPLETED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
