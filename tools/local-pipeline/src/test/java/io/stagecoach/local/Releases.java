package io.stagecoach.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;

/** Releases and the build events CI publishes for them. */
final class Releases {

    static final String IMAGES = "ghcr.io/acme/";

    private Releases() {
    }

    /** A release of {@code service} by {@code author}, whose digest and commit follow from service and version. */
    static Release release(String service, String version, String author) {
        return new Release(service, version, IMAGES + service, "sha256:" + sha256(service + ":" + version),
                sha256("commit " + service + " " + version).substring(0, 40), author);
    }

    /** A release of {@code service} that no CI built: its digest is one no build of that version has. */
    static Release unbuilt(String service, String version) {
        return new Release(service, version, IMAGES + service, "sha256:" + sha256("unbuilt " + service + ":" + version),
                sha256("unbuilt commit " + service + " " + version).substring(0, 40), "mallory");
    }

    /** The run of a release: the correlation id of every event of its journey (as CI and build-completed say). */
    static String runId(Release release) {
        return EventIds.derive(release.service(), release.version(), release.digest());
    }

    /** {@code build.completed.dev} as CI publishes it ({@code stagecoach build} builds the same event). */
    static CloudEvent<BuildCompleted> build(Release release) {
        return build(release, "");
    }

    /** Another announcement of the same build, told apart by {@code attempt} (a CI job that ran twice). */
    static CloudEvent<BuildCompleted> build(Release release, String attempt) {
        return CloudEvent.of(new BuildCompleted(release, "https://ci.example.com/" + release.service()),
                "https://ci.example.com/" + release.service(), "dev", runId(release), null,
                EventIds.derive("build.completed", release.service(), release.version(), release.digest(), attempt));
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
