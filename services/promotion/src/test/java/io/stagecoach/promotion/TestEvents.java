package io.stagecoach.promotion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;

/** Events as the pipeline's other producers (build-completed, smoke-test) would publish them. */
public final class TestEvents {

    private TestEvents() {
    }

    /** A release of {@code service} whose digest and commit follow from its name and version. */
    public static Release release(String service, String version) {
        return new Release(service, version, "ghcr.io/acme/" + service,
                "sha256:" + sha256(service + ":" + version), sha256("commit " + service + version).substring(0, 40),
                "jane");
    }

    /** A new build asking to enter dev, as build-completed publishes it. */
    public static CloudEvent<PromotionRequested> build(Release release) {
        return build(release, "");
    }

    /** A build request told apart from another one for the same release by {@code attempt}. */
    public static CloudEvent<PromotionRequested> build(Release release, String attempt) {
        String run = EventIds.derive(release.service(), release.version(), release.digest());
        return CloudEvent.of(PromotionRequested.build(release, "dev"), "/stagecoach/dev/build-completed", "dev",
                run, EventIds.derive(run, "build.completed", attempt), EventIds.derive(run, "requested", attempt));
    }

    /** The smoke tests of what {@code deployed} put in, passed. */
    public static CloudEvent<SmokeTestPassed> passed(CloudEvent<DeploymentCompleted> deployed) {
        Release release = deployed.data().release();
        var data = new SmokeTestPassed(release, deployed.environment(), List.of(new SmokeCheck("health",
                "http://" + release.service() + "." + deployed.environment() + "/health", 200, 200,
                SmokeCheck.Result.PASSED, "", 7)));
        return CloudEvent.causedBy(deployed, data, "/stagecoach/" + deployed.environment() + "/smoke-test",
                deployed.environment());
    }

    /** The smoke tests of what {@code deployed} put in, failed. */
    public static CloudEvent<SmokeTestFailed> failed(CloudEvent<DeploymentCompleted> deployed) {
        Release release = deployed.data().release();
        var data = new SmokeTestFailed(release, deployed.environment(), SmokeTestFailed.Status.FAILED,
                List.of(new SmokeCheck("health", "http://" + release.service() + "." + deployed.environment()
                        + "/health", 200, 503, SmokeCheck.Result.FAILED, "answered 503", 9)),
                "health answered 503");
        return CloudEvent.causedBy(deployed, data, "/stagecoach/" + deployed.environment() + "/smoke-test",
                deployed.environment());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
