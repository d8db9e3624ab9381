package io.stagecoach.deploy;

/**
 * What a deployment did.
 *
 * @param revision        where the target now stands: the commit id of a GitOps repository, the rollout revision
 *                        of a Kubernetes Deployment
 * @param changed         false when the release was already there and nothing was changed
 * @param previousVersion the version that ran before, or null when none did (or it is unknown)
 */
public record DeployResult(String revision, boolean changed, String previousVersion) {
}
