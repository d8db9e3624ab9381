package io.stagecoach.events;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One build of a service, the unit Stagecoach promotes.
 *
 * @param service the service's name, a DNS label such as {@code knative-lambda-builder}
 * @param version the release's Semantic Versioning 2.0 version, without a leading {@code v}
 * @param image   the image repository without tag or digest, e.g. {@code ghcr.io/acme/knative-lambda-builder}
 * @param digest  the image manifest digest, {@code sha256:} and 64 lower-case hex digits
 * @param commit  the Git commit the image was built from (40 or 64 lower-case hex digits)
 * @param author  who authored the change, as approvers are known (never allowed to approve it)
 * @param flags   the feature flags the release carries, written as the service's flags file wherever the release
 *                is deployed; null for a release that leaves flags alone
 */
public record Release(String service, String version, String image, String digest, String commit, String author,
        @JsonInclude(JsonInclude.Include.NON_NULL) Flags flags) {

    /** A release without flags. */
    public Release(String service, String version, String image, String digest, String commit, String author) {
        this(service, version, image, digest, commit, author, null);
    }

    /** This release carrying {@code newFlags} (null for none). */
    public Release withFlags(Flags newFlags) {
        return new Release(service, version, image, digest, commit, author, newFlags);
    }

    /** The digest of its flags, or null when it carries none. */
    @JsonIgnore
    public String flagsDigest() {
        return flags == null ? null : flags.digest();
    }

    /** The immutable reference a deployment uses: {@code image@digest}. */
    @JsonIgnore
    public String imageReference() {
        return image + "@" + digest;
    }

    /** Whether {@code other} is the same build: same service, version, digest and flags. */
    public boolean sameBuildAs(Release other) {
        return other != null && service.equals(other.service) && version.equals(other.version)
                && digest.equals(other.digest) && Objects.equals(flagsDigest(), other.flagsDigest());
    }
}
