package io.stagecoach.support;

import java.util.UUID;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;

/** Valid events for the tests, each with a fresh id. */
public final class TestEvents {

    private TestEvents() {
    }

    public static Release release(String version) {
        return new Release("knative-lambda-builder", version, "ghcr.io/acme/knative-lambda-builder",
                "sha256:4d3e9a233a9281fbdce081c81786a50930e39753c30bba12195060a28bb82e2a",
                "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3", "jane");
    }

    /** What build-completed publishes into the first environment for a registered build. */
    public static CloudEvent<PromotionRequested> buildPromotion(String environment, String version) {
        return CloudEvent.of(PromotionRequested.build(release(version), environment),
                "/stagecoach/" + environment + "/build-completed", environment, uuid(), uuid(), uuid());
    }

    /** What promotion publishes for the next environment once {@code verifiedIn} verified the release. */
    public static CloudEvent<PromotionRequested> verifiedPromotion(String verifiedIn, String next, String version) {
        return CloudEvent.of(PromotionRequested.verified(release(version), next, new Verification(verifiedIn, uuid())),
                "/stagecoach/" + verifiedIn + "/promotion", next, uuid(), uuid(), uuid());
    }

    public static CloudEvent<DeploymentCompleted> deploymentCompleted(String environment, String version) {
        return CloudEvent.of(new DeploymentCompleted(release(version), environment, "gitops", "1a2b3c4", "1.0.0", false),
                "/stagecoach/" + environment + "/promotion", environment, uuid(), uuid(), uuid());
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }
}
