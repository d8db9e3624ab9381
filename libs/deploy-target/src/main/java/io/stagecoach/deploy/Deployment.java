package io.stagecoach.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One release to put into one environment.
 *
 * @param environment the environment (a name from the environments file)
 * @param service     the service whose release it is
 * @param version     the version, also the image tag
 * @param image       the image repository without tag or digest, e.g. {@code ghcr.io/acme/knative-lambda-builder}
 * @param digest      the image digest ({@code sha256:...}), or null when the build has none
 * @param trailers    who and why, recorded with the change: {@link #EVENT_ID}, {@link #RUN_ID}, {@link #APPROVED_BY}
 *                    and any other {@code Token-Like} key; values are single lines
 * @param reason      why the release goes there, in words (may be null)
 */
public record Deployment(String environment, String service, String version, String image, String digest,
                         Map<String, String> trailers, String reason) {

    /** Trailer key of the event that asked for the deployment. */
    public static final String EVENT_ID = "Event-Id";
    /** Trailer key of the run (correlation id) the deployment belongs to. */
    public static final String RUN_ID = "Run-Id";
    /** Trailer key of the person or people who approved it. */
    public static final String APPROVED_BY = "Approved-By";

    // environment and service names end up in file paths, namespaces and commit messages
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    // the grammar of an OCI image tag
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9]([a-zA-Z0-9._/:-]*[a-z0-9])?");
    // the grammar of an OCI content digest
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+([+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}");
    private static final Pattern TRAILER_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

    public Deployment {
        requireName("environment", environment);
        requireName("service", service);
        require("version", version, TAG);
        require("image", image, IMAGE);
        if (image.contains("@") || image.contains("..")) {
            throw new IllegalArgumentException("image must be a repository without tag or digest: " + image);
        }
        if (digest != null) {
            require("digest", digest, DIGEST);
        }
        var copy = new LinkedHashMap<String, String>();
        if (trailers != null) {
            trailers.forEach((key, value) -> {
                require("trailer key", key, TRAILER_KEY);
                Objects.requireNonNull(value, () -> "trailer " + key + " has no value");
                if (value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                    throw new IllegalArgumentException("trailer " + key + " must be one non-blank line");
                }
                copy.put(key, value.strip());
            });
        }
        trailers = java.util.Collections.unmodifiableMap(copy);
    }

    /** A deployment with no trailers and no reason. */
    public static Deployment of(String environment, String service, String version, String image, String digest) {
        return new Deployment(environment, service, version, image, digest, Map.of(), null);
    }

    /** This deployment with one more trailer. */
    public Deployment withTrailer(String key, String value) {
        var more = new LinkedHashMap<>(trailers);
        more.put(key, value);
        return new Deployment(environment, service, version, image, digest, more, reason);
    }

    /** This deployment with the given reason. */
    public Deployment withReason(String newReason) {
        return new Deployment(environment, service, version, image, digest, trailers, newReason);
    }

    /** The image reference a runtime pulls: {@code image@digest}, or {@code image:version} without a digest. */
    public String reference() {
        return digest != null ? image + "@" + digest : image + ":" + version;
    }

    private static void requireName(String what, String value) {
        require(what, value, NAME);
        if (value.contains("..")) {
            throw new IllegalArgumentException(what + " must not contain '..': " + value);
        }
    }

    private static void require(String what, String value, Pattern pattern) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + ": " + value);
        }
    }
}
