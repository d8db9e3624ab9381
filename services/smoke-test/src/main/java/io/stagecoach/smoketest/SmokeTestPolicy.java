package io.stagecoach.smoketest;

import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;

/**
 * The event a deployment's checks lead to: {@code smoketest.passed} or {@code smoketest.failed} (FAILED or ERROR),
 * with an id derived from the deployment event, so handling a redelivered deployment again yields the same id. Pure.
 */
final class SmokeTestPolicy {

    private static final int MAX_SUMMARY = 4096;

    private SmokeTestPolicy() {
    }

    static CloudEvent<?> decide(CloudEvent<DeploymentCompleted> deployment, List<SmokeCheck> checks, String source) {
        DeploymentCompleted deployed = deployment.data();
        String environment = deployment.environment();
        SmokeTestDecision.Outcome outcome = SmokeTestDecision.decide(checks);
        if (outcome == SmokeTestDecision.Outcome.PASSED) {
            return CloudEvent.causedBy(deployment, new SmokeTestPassed(deployed.release(), environment, checks), source,
                    environment);
        }
        String summary = SmokeTestDecision.summary(checks, deployed.release().service(), environment);
        SmokeTestFailed.Status status = outcome == SmokeTestDecision.Outcome.FAILED ? SmokeTestFailed.Status.FAILED
                : SmokeTestFailed.Status.ERROR;
        return CloudEvent.causedBy(deployment, new SmokeTestFailed(deployed.release(), environment, status, checks,
                summary.length() > MAX_SUMMARY ? summary.substring(0, MAX_SUMMARY - 1) + "…" : summary), source,
                environment);
    }

    /**
     * The end of the run of a deployment that was replaced before it was checked: {@code SUPERSEDED} by what runs
     * now, or {@code HELD} when it was rolled back meanwhile. Its checks would judge another release, and without
     * this event the run would stop without a word.
     */
    static CloudEvent<PromotionBlocked> replaced(CloudEvent<DeploymentCompleted> deployment, Release running,
            boolean held, String source) {
        Release release = deployment.data().release();
        String environment = deployment.environment();
        String what = release.version() + " of " + release.service() + " was deployed in " + environment + " but ";
        PromotionBlocked blocked = held
                ? new PromotionBlocked(release, environment, PromotionBlocked.Reason.HELD, what
                        + "rolled back before its smoke tests ran; it goes no further", running.version())
                : new PromotionBlocked(release, environment, PromotionBlocked.Reason.SUPERSEDED, what
                        + running.version() + " replaced it before its smoke tests ran; it goes no further",
                        running.version(), running.version());
        return CloudEvent.causedBy(deployment, blocked, source, environment);
    }

    /**
     * The ids the outcomes of a deployment's checks get, or of its replacement: if one is in the audit stream, the
     * work was done.
     */
    static List<String> possibleIds(CloudEvent<DeploymentCompleted> deployment) {
        return List.of(id(deployment, EventType.SMOKETEST_PASSED), id(deployment, EventType.SMOKETEST_FAILED),
                id(deployment, EventType.PROMOTION_BLOCKED));
    }

    private static String id(CloudEvent<DeploymentCompleted> deployment, EventType type) {
        // as CloudEvent.causedBy derives it
        return EventIds.derive(deployment.id(), type.type(), deployment.environment());
    }
}
