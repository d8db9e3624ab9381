package io.stagecoach.events;

/**
 * The deploy target could not put a release into an environment, after retries.
 *
 * @param release     the release that was to be deployed
 * @param environment the environment
 * @param target      the deploy target, e.g. {@code gitops} or {@code kubernetes}
 * @param error       what went wrong, for people
 * @param attempts    how many attempts were made
 * @param cause       whether the release or the target is to blame; null in events written before it existed
 */
public record DeploymentFailed(Release release, String environment, String target, String error, int attempts,
                               Cause cause) implements EventData {

    /** Why a deployment failed: only {@link #RELEASE_UNHEALTHY} says anything against the release. */
    public enum Cause {
        /** The target ran the release and it did not become healthy (a failed or stuck rollout). */
        RELEASE_UNHEALTHY,
        /** The target refused the change (a malformed manifest, a missing overlay, a refused push): nothing changed. */
        TARGET_REFUSED,
        /** Other writers kept changing the environment under the deployment: nothing changed. */
        TARGET_CHANGED,
        /**
         * The target could not be reached (network, I/O, timeout, an open circuit breaker). The promotion service
         * retries and sets the request aside instead of publishing this; named so that every cause is decided.
         */
        TARGET_UNREACHABLE
    }

    @Override
    public EventType eventType() {
        return EventType.DEPLOYMENT_FAILED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
