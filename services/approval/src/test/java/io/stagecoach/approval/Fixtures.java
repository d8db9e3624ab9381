package io.stagecoach.approval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.platform.environments.Environments;

/**
 * Requests as staging's promotion service makes them, decisions as the chat bot sends them, and the default path
 * with one setting changed.
 */
final class Fixtures {

    static final String AUTHOR = "jane";

    private Fixtures() {
    }

    /** A release of its own service (so requests of different tests never supersede each other). */
    static Release release(String service, String version) {
        return new Release(service, version, "ghcr.io/acme/" + service, digest(service + version),
                hex(service + version + "commit", 40), AUTHOR);
    }

    static Release withDigest(Release release, String seed) {
        return new Release(release.service(), release.version(), release.image(), digest(seed), release.commit(),
                release.author());
    }

    /** {@code approval.requested.prod} as staging's promotion sends it after the smoke tests passed. */
    static CloudEvent<ApprovalRequested> request(Release release, Duration ttl) {
        String smokeEvent = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ApprovalRequested requested = new ApprovalRequested(EventIds.derive(smokeEvent, "approval"), release, "prod",
                List.of("sre-team"), 1, now, now.plus(ttl), new Verification("staging", smokeEvent));
        return CloudEvent.of(requested, "/stagecoach/staging/promotion", "prod", UUID.randomUUID().toString(),
                smokeEvent, EventIds.derive(smokeEvent, "approval.requested"));
    }

    static CloudEvent<ApprovalRequested> request(Release release) {
        return request(release, Duration.ofHours(24));
    }

    /** A request whose own times say what staging's clock (or someone holding its credential) wants them to. */
    static CloudEvent<ApprovalRequested> request(Release release, Instant requestedAt, Instant expiresAt) {
        CloudEvent<ApprovalRequested> honest = request(release);
        ApprovalRequested data = honest.data();
        ApprovalRequested claimed = new ApprovalRequested(data.requestId(), release, data.environment(),
                data.approvers(), data.minApprovals(), requestedAt, expiresAt, data.verifiedIn());
        return CloudEvent.of(claimed, honest.source(), honest.environment(), honest.correlationid(),
                honest.causationid(), honest.id()).withTime(requestedAt);
    }

    /** The chat bot's decision on {@code request}. */
    static CloudEvent<ApprovalDecided> decision(CloudEvent<ApprovalRequested> request, String approver,
            ApprovalDecided.Decision decision, boolean override, String reason) {
        Release release = request.data().release();
        ApprovalDecided decided = new ApprovalDecided(request.data().requestId(), release.service(),
                release.version(), release.digest(), "prod", decision, approver, reason, override);
        return CloudEvent.of(decided, "/stagecoach/prod/chatops", "prod", request.correlationid(), request.id(),
                UUID.randomUUID().toString());
    }

    static CloudEvent<ApprovalDecided> approve(CloudEvent<ApprovalRequested> request, String approver) {
        return decision(request, approver, ApprovalDecided.Decision.APPROVE, false, null);
    }

    /** An approval naming another build than the request. */
    static CloudEvent<ApprovalDecided> approve(CloudEvent<ApprovalRequested> request, String approver,
            Release named) {
        ApprovalDecided decided = new ApprovalDecided(request.data().requestId(), named.service(), named.version(),
                named.digest(), "prod", ApprovalDecided.Decision.APPROVE, approver, null, false);
        return CloudEvent.of(decided, "/stagecoach/prod/chatops", "prod", request.correlationid(), request.id(),
                UUID.randomUUID().toString());
    }

    /** The default environments file with {@code setting} (a whole line's text) changed, written into {@code dir}. */
    static Path environmentsWith(Path dir, String setting, String changed) throws IOException {
        String yaml;
        try (InputStream in = Environments.class.getResourceAsStream(Environments.DEFAULT_RESOURCE)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!yaml.contains(setting)) {
            throw new IllegalStateException("the default environments no longer say '" + setting + "'");
        }
        return Files.writeString(dir.resolve("environments.yaml"), yaml.replace(setting, changed));
    }

    static String digest(String seed) {
        return "sha256:" + hex(seed, 64);
    }

    private static String hex(String seed, int length) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; hex.length() < length; i++) {
            hex.append(EventIds.derive(seed, String.valueOf(i)).replace("-", ""));
        }
        return hex.substring(0, length);
    }
}
