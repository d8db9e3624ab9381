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
 * @param expected    what the decision saw in the environment: the deployment lands only where the environment
 *                    still holds exactly that, so a decision taken on a state another writer changed in between
 *                    overwrites nothing (see {@link StaleDecisionException}); null lands it whatever is there
 * @param flags       the feature flags file the release carries, written as the service's flags in the environment;
 *                    null leaves the environment's flags as they are
 */
public record Deployment(String environment, String service, String version, String image, String digest,
                         Map<String, String> trailers, String reason, Expected expected, Flags flags) {

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

    /** A deployment that leaves the environment's flags as they are. */
    public Deployment(String environment, String service, String version, String image, String digest,
                      Map<String, String> trailers, String reason, Expected expected) {
        this(environment, service, version, image, digest, trailers, reason, expected, null);
    }

    /** A deployment that lands whatever the environment holds. */
    public Deployment(String environment, String service, String version, String image, String digest,
                      Map<String, String> trailers, String reason) {
        this(environment, service, version, image, digest, trailers, reason, null);
    }

    /** A deployment with no trailers and no reason. */
    public static Deployment of(String environment, String service, String version, String image, String digest) {
        return new Deployment(environment, service, version, image, digest, Map.of(), null);
    }

    /** This deployment with one more trailer. */
    public Deployment withTrailer(String key, String value) {
        var more = new LinkedHashMap<>(trailers);
        more.put(key, value);
        return new Deployment(environment, service, version, image, digest, more, reason, expected, flags);
    }

    /** This deployment with the given reason. */
    public Deployment withReason(String newReason) {
        return new Deployment(environment, service, version, image, digest, trailers, newReason, expected, flags);
    }

    /** This deployment, landing only where the environment still holds what {@code saw} says. */
    public Deployment expecting(Expected saw) {
        return new Deployment(environment, service, version, image, digest, trailers, reason, saw, flags);
    }

    /** This deployment writing {@code newFlags} as the service's flags (null leaves them as they are). */
    public Deployment withFlags(Flags newFlags) {
        return new Deployment(environment, service, version, image, digest, trailers, reason, expected, newFlags);
    }

    /**
     * A feature flags file to write: flagd JSON, content-addressed.
     *
     * @param digest  {@code sha256:<hex>} of the content's UTF-8 bytes
     * @param content the file, byte for byte
     */
    public record Flags(String digest, String content) {

        public Flags {
            Objects.requireNonNull(content, "flags content");
            require("flags digest", digest, DIGEST);
        }
    }

    /**
     * What a decision saw in the environment for the service: a release (its version and, when pinned, its digest),
     * or nothing at all.
     *
     * @param version the version (image tag) the environment held, or null when it held none
     * @param digest  the digest it held, or null when it pinned none (or the decision did not know it)
     */
    public record Expected(String version, String digest) {

        private static final Expected NOTHING = new Expected(null, null);

        /** The environment held nothing for the service. */
        public static Expected nothing() {
            return NOTHING;
        }

        /** What a target said runs; empty, or a pin without tag and digest, is nothing. */
        public static Expected of(java.util.Optional<RunningRelease> running) {
            return running.filter(r -> r.version() != null || r.digest() != null)
                    .map(r -> new Expected(r.version(), r.digest())).orElse(NOTHING);
        }

        public boolean isNothing() {
            return version == null && digest == null;
        }

        /**
         * Whether {@code now} (what the environment holds; null or empty for nothing) is what was seen: the same
         * version, and the same digest where both name one.
         */
        public boolean matches(RunningRelease now) {
            if (now == null || now.version() == null && now.digest() == null) {
                return isNothing();
            }
            if (isNothing() || !Objects.equals(version, now.version())) {
                return false;
            }
            return digest == null || now.digest() == null || digest.equals(now.digest());
        }

        @Override
        public String toString() {
            return isNothing() ? "nothing" : (version == null ? "" : version) + (digest == null ? "" : "@" + digest);
        }
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
