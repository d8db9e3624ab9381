package io.stagecoach.cli;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Realistic pipeline events for tests, each in the run of its release. */
final class Events {

    static final String SERVICE = "knative-lambda-builder";
    static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    static final String COMMIT = "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3";

    private Events() {
    }

    static Release release(String version) {
        return new Release(SERVICE, version, IMAGE, digest(version), COMMIT, "jane");
    }

    static Release release(String service, String version) {
        return new Release(service, version, "ghcr.io/acme/" + service, digest(service + version), COMMIT, "jane");
    }

    /** A digest per version: {@code sha256:} and 64 hex digits derived from the version. */
    static String digest(String version) {
        String hex = EventIds.derive("digest", version).replace("-", "");
        return "sha256:" + (hex + hex).substring(0, 64);
    }

    static String run(Release release) {
        return BuildCommand.runId(release);
    }

    static <T extends EventData> CloudEvent<T> event(T data, String environment, Release release, String... idParts) {
        String[] parts = new String[idParts.length + 2];
        parts[0] = data.eventType().eventName();
        parts[1] = environment;
        System.arraycopy(idParts, 0, parts, 2, idParts.length);
        String id = EventIds.derive(parts);
        return CloudEvent.of(data, "/stagecoach/" + environment + "/test", environment, run(release), id, id);
    }

    static CloudEvent<PromotionRequested> promotionRequested(Release release, String environment) {
        return event(PromotionRequested.build(release, environment), environment, release, release.version());
    }

    static CloudEvent<DeploymentCompleted> deployed(Release release, String environment, String previous) {
        return event(new DeploymentCompleted(release, environment, "gitops", "rev" + release.version().replace(".", ""),
                previous, false), environment, release, release.version());
    }

    static CloudEvent<SmokeTestPassed> passed(Release release, String environment) {
        return event(new SmokeTestPassed(release, environment, List.of(new SmokeCheck("health",
                "http://127.0.0.1:8081/health", 200, 200, SmokeCheck.Result.PASSED, "version " + release.version(), 12))),
                environment, release, release.version());
    }

    static CloudEvent<SmokeTestFailed> failed(Release release, String environment) {
        return event(new SmokeTestFailed(release, environment, SmokeTestFailed.Status.FAILED, List.of(new SmokeCheck(
                "health", "http://127.0.0.1:8082/health", 200, 503, SmokeCheck.Result.FAILED, "status DOWN", 9)),
                "health answered 503"), environment, release, release.version());
    }

    static CloudEvent<RollbackCompleted> rolledBack(Release from, Release to, String environment, String triggerId) {
        return event(new RollbackCompleted(environment, from.service(), from, to,
                new Trigger(Trigger.Type.SMOKETEST_FAILED, triggerId), "rollback" + to.version().replace(".", "")),
                environment, from, from.version(), to.version());
    }

    static CloudEvent<ApprovalRequested> approvalRequested(Release release, String environment, String verifiedEventId) {
        Instant now = Instant.now();
        String requestId = requestId(release, environment);
        return event(new ApprovalRequested(requestId, release, environment, List.of("sre-team"), 1, now,
                now.plus(Duration.ofHours(24)), new Verification("staging", verifiedEventId)), environment, release,
                release.version());
    }

    /** The gated environment's receipt of {@code request} at {@code at}, expiring a day later. */
    static CloudEvent<ApprovalOpened> opened(CloudEvent<ApprovalRequested> request, Instant at) {
        ApprovalRequested data = request.data();
        return event(new ApprovalOpened(data.requestId(), data.release(), request.environment(),
                at.plus(Duration.ofHours(24))), request.environment(), data.release(), data.release().version())
                .withTime(at);
    }

    static String requestId(Release release, String environment) {
        return EventIds.derive("request", environment, release.version());
    }

    static CloudEvent<ApprovalGranted> granted(Release release, String environment) {
        return event(new ApprovalGranted(requestId(release, environment), release, environment, List.of("alice"), 42,
                false, null), environment, release, release.version());
    }

    static CloudEvent<PromotionBlocked> blocked(Release release, String environment, String running) {
        return event(new PromotionBlocked(release, environment, PromotionBlocked.Reason.OLDER_THAN_RUNNING,
                release.version() + " is older than " + running, running), environment, release, release.version());
    }

    static CloudEvent<PromotionBlocked> held(Release release, String environment) {
        return event(new PromotionBlocked(release, environment, PromotionBlocked.Reason.HELD,
                release.version() + " is held in " + environment, null), environment, release, release.version(),
                "held");
    }

    /** What promotion (or smoke-test) says when a newer release replaced {@code release} before it moved on. */
    static CloudEvent<PromotionBlocked> superseded(Release release, String environment, String newer) {
        return event(new PromotionBlocked(release, environment, PromotionBlocked.Reason.SUPERSEDED,
                release.version() + " passed its smoke tests in " + environment + " but " + newer
                        + " replaced it there; it goes no further", newer, newer), environment, release,
                release.version(), "superseded");
    }

    /** What the next environment's promotion service says on a withdrawal. */
    static CloudEvent<PromotionBlocked> withdrawnBlock(Release release, String environment, String by) {
        return event(new PromotionBlocked(release, environment, PromotionBlocked.Reason.WITHDRAWN,
                release.version() + " may no longer enter " + environment + ": " + by + " withdrew it (rolled back)",
                null), environment, release, release.version(), "withdrawn");
    }

    static CloudEvent<ReleaseWithdrawn> withdrawal(Release release, String environment, String by) {
        return event(new ReleaseWithdrawn(release, environment, by, new Trigger(Trigger.Type.ROLLBACK_REQUESTED,
                EventIds.derive("asked", release.version())), release.version() + " is held in " + by
                + " after a rollback asked for by sam: latency"), environment, release, release.version());
    }

    static CloudEvent<ApprovalExpired> approvalEnded(Release release, String environment,
                                                     ApprovalExpired.Reason reason, String newer) {
        return event(new ApprovalExpired(requestId(release, environment), release, environment, reason, newer,
                reason == ApprovalExpired.Reason.WITHDRAWN ? "staging withdrew " + release.version() + ": latency"
                        : null), environment, release, release.version());
    }
}
