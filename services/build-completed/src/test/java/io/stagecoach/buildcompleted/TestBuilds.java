package io.stagecoach.buildcompleted;

import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;

/** Releases and build events for tests. */
public final class TestBuilds {

    public static final String SERVICE = "knative-lambda-builder";
    public static final String DIGEST_A = "sha256:" + "a".repeat(64);
    public static final String DIGEST_B = "sha256:" + "b".repeat(64);
    public static final String COMMIT = "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3";

    private TestBuilds() {
    }

    public static Release release(String version, String digest) {
        return new Release(SERVICE, version, "ghcr.io/acme/" + SERVICE, digest, COMMIT, "jane");
    }

    /** A build event as CI would publish it: its own id (unique per publish), correlation = its id. */
    public static CloudEvent<BuildCompleted> build(Release release, String environment, String ciRunNumber) {
        String id = EventIds.derive("ci", release.service(), release.version(), ciRunNumber);
        return CloudEvent.of(new BuildCompleted(release, "https://ci.example.com/builds/" + ciRunNumber),
                "https://ci.example.com/acme/" + release.service(), environment, id, null, id);
    }
}
