package io.stagecoach.smoketest;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.EnvironmentLedger.Deployed;
import io.stagecoach.smoketest.SmokeTestDecision.CheckedBefore;
import io.stagecoach.smoketest.SmokeTestDecision.Checking;
import io.stagecoach.smoketest.SmokeTestDecision.Failed;
import io.stagecoach.smoketest.SmokeTestDecision.Passed;
import io.stagecoach.smoketest.SmokeTestDecision.Replaced;

/**
 * What a completed deployment leads to, before its checks ({@link #beforeChecks}) and after them
 * ({@link #afterChecks}): {@code smoketest.passed} or {@code smoketest.failed} (FAILED or ERROR), nothing for a
 * redelivery, or a {@code promotion.blocked} for a deployment a newer one replaced. Every event's id is derived from
 * the deployment event, so handling a redelivered deployment again yields the same id. Pure: what the environment
 * knows comes in as a {@link Situation}.
 */
final class SmokeTestPolicy {

    private static final int MAX_SUMMARY = 4096;

    private SmokeTestPolicy() {
    }

    /** The outcome of a deployment's checks. */
    enum Outcome {
        /** Every check passed: the release is verified here. */
        PASSED,
        /** At least one check got a wrong answer: a business result. */
        FAILED,
        /** The checks could not run (none configured, bad URL, no answer): a technical status. */
        ERROR
    }

    /**
     * What the environment's ledger says about a deployment now.
     *
     * @param outcomeSeen the id of the deployment's outcome (or replacement) already in the audit stream, if any
     * @param running     what runs now of the deployment's service, if anything
     * @param held        whether the environment holds the deployed release (it was rolled back)
     */
    record Situation(Optional<String> outcomeSeen, Optional<Deployed> running, boolean held) {
    }

    /** Before the checks: not again for a redelivery, not at all for a replaced deployment, else check it. */
    static SmokeTestDecision beforeChecks(CloudEvent<DeploymentCompleted> deployment, Situation now, String source) {
        if (now.outcomeSeen().isPresent()) {
            return new CheckedBefore(now.outcomeSeen().get());
        }
        return replacement(deployment, now, "before it was checked", source).orElseGet(Checking::new);
    }

    /**
     * After the checks, which take seconds: a newer release may have replaced this one meanwhile, and then they
     * judged that one; else the outcome of {@code checks}.
     */
    static SmokeTestDecision afterChecks(CloudEvent<DeploymentCompleted> deployment, List<SmokeCheck> checks,
            Situation now, String source) {
        Optional<SmokeTestDecision> replaced = replacement(deployment, now, "while it was checked", source);
        return replaced.orElseGet(() -> judged(deployment, checks, source));
    }

    /** Whether another build of the service runs now: the deployment's checks would judge that one. */
    static boolean replaced(CloudEvent<DeploymentCompleted> deployment, Situation now) {
        return now.running().isPresent() && !now.running().get().release().sameBuildAs(deployment.data().release());
    }

    /** The outcome of a deployment's checks. No checks is an ERROR: a release nobody checked is not verified. */
    static Outcome outcome(List<SmokeCheck> checks) {
        if (checks.isEmpty()) {
            return Outcome.ERROR;
        }
        if (checks.stream().anyMatch(check -> check.result() == SmokeCheck.Result.FAILED)) {
            return Outcome.FAILED;
        }
        if (checks.stream().anyMatch(check -> check.result() == SmokeCheck.Result.ERROR)) {
            return Outcome.ERROR;
        }
        return Outcome.PASSED;
    }

    /** One line for people: what did not pass and why, e.g. {@code 1 of 2 checks failed: health: answered 503...}. */
    static String summary(List<SmokeCheck> checks, String service, String environment) {
        if (checks.isEmpty()) {
            return "no smoke checks are configured for " + service + " in " + environment
                    + " (stagecoach.smoke-test.services." + service + ".checks)";
        }
        Outcome outcome = outcome(checks);
        if (outcome == Outcome.PASSED) {
            return "all " + checks.size() + " checks passed";
        }
        SmokeCheck.Result shown = outcome == Outcome.FAILED ? SmokeCheck.Result.FAILED : SmokeCheck.Result.ERROR;
        List<SmokeCheck> notPassed = checks.stream().filter(check -> check.result() == shown).toList();
        String verb = outcome == Outcome.FAILED ? "failed" : "could not run";
        return notPassed.size() + " of " + checks.size() + " checks " + verb + ": " + notPassed.stream()
                .map(check -> check.name() + ": " + check.detail()).collect(Collectors.joining("; "));
    }

    /**
     * The ids the outcomes of a deployment's checks get, or of its replacement: if one is in the audit stream, the
     * work was done.
     */
    static List<String> possibleIds(CloudEvent<DeploymentCompleted> deployment) {
        return List.of(id(deployment, EventType.SMOKETEST_PASSED), id(deployment, EventType.SMOKETEST_FAILED),
                id(deployment, EventType.PROMOTION_BLOCKED));
    }

    private static SmokeTestDecision judged(CloudEvent<DeploymentCompleted> deployment, List<SmokeCheck> checks,
            String source) {
        DeploymentCompleted deployed = deployment.data();
        String environment = deployment.environment();
        Outcome outcome = outcome(checks);
        if (outcome == Outcome.PASSED) {
            return new Passed(CloudEvent.causedBy(deployment, new SmokeTestPassed(deployed.release(), environment,
                    checks), source, environment));
        }
        String summary = summary(checks, deployed.release().service(), environment);
        SmokeTestFailed.Status status = outcome == Outcome.FAILED ? SmokeTestFailed.Status.FAILED
                : SmokeTestFailed.Status.ERROR;
        return new Failed(CloudEvent.causedBy(deployment, new SmokeTestFailed(deployed.release(), environment, status,
                checks, summary.length() > MAX_SUMMARY ? summary.substring(0, MAX_SUMMARY - 1) + "…" : summary),
                source, environment));
    }

    /** A replacement when what runs now of the service is another build than the deployed one. */
    private static Optional<SmokeTestDecision> replacement(CloudEvent<DeploymentCompleted> deployment, Situation now,
            String when, String source) {
        if (!replaced(deployment, now)) {
            return Optional.empty();
        }
        Deployed running = now.running().get();
        return Optional.of(new Replaced(blocked(deployment, running.release(), now.held(), source), running, when));
    }

    /**
     * The end of the run of a deployment that was replaced: {@code SUPERSEDED} by what runs now, or {@code HELD}
     * when it was rolled back meanwhile. Its checks would judge another release, and without this event the run
     * would stop without a word.
     */
    private static CloudEvent<PromotionBlocked> blocked(CloudEvent<DeploymentCompleted> deployment, Release running,
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

    private static String id(CloudEvent<DeploymentCompleted> deployment, EventType type) {
        // as CloudEvent.causedBy derives it
        return EventIds.derive(deployment.id(), type.type(), deployment.environment());
    }
}
