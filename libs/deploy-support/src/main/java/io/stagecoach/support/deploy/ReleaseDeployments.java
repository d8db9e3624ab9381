package io.stagecoach.support.deploy;

import java.util.Map;

import io.stagecoach.deploy.Deployment;
import io.stagecoach.events.Release;

/** A release as a deploy target puts it into an environment: its image and, where it carries them, its flags. */
public final class ReleaseDeployments {

    private ReleaseDeployments() {
    }

    /** The deployment of {@code release} into {@code environment}, with who and why ({@code trailers}, {@code reason}). */
    public static Deployment of(String environment, Release release, Map<String, String> trailers, String reason) {
        return new Deployment(environment, release.service(), release.version(), release.image(), release.digest(),
                trailers, reason).withFlags(flags(release));
    }

    /** The flags file {@code release} carries, or null when it leaves flags alone. */
    public static Deployment.Flags flags(Release release) {
        return release.flags() == null ? null
                : new Deployment.Flags(release.flags().digest(), release.flags().content());
    }
}
