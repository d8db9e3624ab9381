package io.stagecoach.deploy;

/**
 * What runs is not what was deployed.
 *
 * @param environment    the environment
 * @param service        the service
 * @param expectedDigest the digest that should run
 * @param actual         what runs instead, or null when nothing runs (no Deployment)
 */
public record Drift(String environment, String service, String expectedDigest, RunningRelease actual) {
}
