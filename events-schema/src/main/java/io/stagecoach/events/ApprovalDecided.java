package io.stagecoach.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A person's decision on an approval request, as published by the chat bot or the CLI. It names exactly
 * one release (version and digest): a decision for another build of the same request is refused.
 *
 * @param requestId   the request decided on
 * @param service     the service of the release
 * @param version     the version decided on
 * @param digest      the image digest decided on
 * @param environment the gated environment
 * @param decision    approve or reject
 * @param approver    who decided, as approvers are configured
 * @param reason      why, or null; required by the approval service for an override
 * @param override    whether the approver overrides the gate's rules (audited, needs a reason)
 * @param signed      the person's click as the chat platform signed it, or null; where the gated environment
 *                    verifies people, the approval service takes who decided, what and on which request from it
 */
public record ApprovalDecided(String requestId, String service, String version, String digest, String environment,
                              Decision decision, String approver, String reason, boolean override,
                              @JsonInclude(JsonInclude.Include.NON_NULL) SignedRequest signed)
        implements EventData {

    /** A decision that carries no signed request: the approver is who the publisher says. */
    public ApprovalDecided(String requestId, String service, String version, String digest, String environment,
                           Decision decision, String approver, String reason, boolean override) {
        this(requestId, service, version, digest, environment, decision, approver, reason, override, null);
    }

    public enum Decision {
        APPROVE,
        REJECT
    }

    /** Whether this decision names exactly {@code release}. */
    public boolean names(Release release) {
        return service.equals(release.service()) && version.equals(release.version())
                && digest.equals(release.digest());
    }

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_DECIDED;
    }

    @Override
    public String subject() {
        return service;
    }
}
