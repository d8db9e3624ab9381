package io.stagecoach.deploy;

/**
 * What a target says runs.
 *
 * @param version  the version (image tag), or null when the target does not say
 * @param image    the image repository without tag or digest
 * @param digest   the image digest, or null when not pinned
 * @param revision the commit id or rollout revision that holds it
 */
public record RunningRelease(String version, String image, String digest, String revision) {
}
