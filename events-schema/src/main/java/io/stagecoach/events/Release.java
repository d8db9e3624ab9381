package io.stagecoach.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One build of a service, the unit Stagecoach promotes.
 *
 * @param service the service's name, a DNS label such as {@code knative-lambda-builder}
 * @param version the release's Semantic Versioning 2.0 version, without a leading {@code v}
 * @param image   the image repository without tag or digest, e.g. {@code ghcr.io/acme/knative-lambda-builder}
 * @param digest  the image manifest digest, {@code sha256:} and 64 lower-case hex digits
 * @param commit  the Git commit the image was built from (40 or 64 lower-case hex digits)
 * @param author  who authored the change, as approvers are known (never allowed to approve it)
 */
public record Release(String service, String version, String image, String digest, String commit, String author) {

    /** The immutable reference a deployment uses: {@code image@digest}. */
    @JsonIgnore
    public String imageReference() {
        return image + "@" + digest;
    }

    /** Whether {@code other} is the same build: same service, version and digest. */
    public boolean sameBuildAs(Release other) {
        return other != null && service.equals(other.service) && version.equals(other.version)
                && digest.equals(other.digest);
    }
}
