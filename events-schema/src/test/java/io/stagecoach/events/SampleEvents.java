package io.stagecoach.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Events built in Java, one with every optional field and one with none per type, so that round trips
 * cover what the shipped examples (decoded from JSON) do not.
 */
final class SampleEvents {

    static final String SERVICE = "knative-lambda-builder";
    static final String RUN = EventIds.derive("run", SERVICE, "1.4.2");

    static final Release RELEASE = release("1.4.2", 'a');
    static final Release PREVIOUS = release("1.4.1", 'b');

    private static final Instant AT = Instant.parse("2026-11-26T09:00:00.250Z");
    private static final String CAUSE = EventIds.derive("cause");
    private static final Verification VERIFIED_IN_STAGING = new Verification("staging", EventIds.derive("passed"));
    private static final String REQUEST = EventIds.derive("request");
    private static final List<SmokeCheck> PASSED_CHECKS = List.of(
            new SmokeCheck("health", "http://knative-lambda-builder.knative-lambda-dev.svc/healthz", 200, 200,
                    SmokeCheck.Result.PASSED, "200 OK", 41));

    private SampleEvents() {
    }

    static DriftDetected.Side side(Release release, String source) {
        return new DriftDetected.Side(release.version(), release.digest(), source);
    }

    static Release release(String version, char hex) {
        return new Release(SERVICE, version, "ghcr.io/acme/knative-lambda-builder", "sha256:" + repeat(hex, 64),
                repeat(hex, 40), "jane");
    }

    /** Every optional field set. */
    static List<CloudEvent<?>> full() {
        return List.of(
                event("dev", new BuildCompleted(RELEASE, "https://ci.example.com/builds/812"), null),
                event("prod", PromotionRequested.approved(RELEASE, "prod", VERIFIED_IN_STAGING,
                        new Approval(REQUEST, List.of("priya", "omar")))),
                event("staging", new PromotionBlocked(RELEASE, "staging", PromotionBlocked.Reason.SUPERSEDED,
                        "1.4.2 passed in staging but 1.5.0 replaced it there", "1.5.0", "1.5.0")),
                event("dev", new DeploymentCompleted(RELEASE, "dev", "gitops", "3f9c2d7a41be0c5e88d21f6a0b7e4c19d2a5f801",
                        "1.4.1", true)),
                event("dev", new DeploymentFailed(RELEASE, "dev", "kubernetes", "rollout timed out", 3,
                        DeploymentFailed.Cause.RELEASE_UNHEALTHY)),
                event("dev", new SmokeTestPassed(RELEASE, "dev", PASSED_CHECKS)),
                event("dev", new SmokeTestFailed(RELEASE, "dev", SmokeTestFailed.Status.FAILED, List.of(
                        PASSED_CHECKS.get(0),
                        new SmokeCheck("builds", "http://knative-lambda-builder.knative-lambda-dev.svc/api", 202, 500,
                                SmokeCheck.Result.FAILED, "500 Internal Server Error", 212)),
                        "1 of 2 checks failed")),
                event("prod", new ApprovalRequested(REQUEST, RELEASE, "prod", List.of("sre-team", "release-managers"),
                        2, AT, AT.plusSeconds(86_400), VERIFIED_IN_STAGING)),
                event("prod", new ApprovalOpened(REQUEST, RELEASE, "prod", AT.plusSeconds(86_400))),
                event("prod", new ApprovalDecided(REQUEST, SERVICE, "1.4.2", RELEASE.digest(), "prod",
                        ApprovalDecided.Decision.APPROVE, "priya", "hotfix for INC-42", true,
                        new SignedRequest(SignedRequest.SLACK_V0, "1531420618", "v0=" + repeat('a', 64),
                                "payload=%7B%22type%22%3A%22block_actions%22%7D"))),
                event("prod", new ApprovalGranted(REQUEST, RELEASE, "prod", List.of("priya"), 2432, true,
                        "hotfix for INC-42")),
                event("prod", new ApprovalRejected(REQUEST, RELEASE, "prod", "omar", "not during the freeze")),
                event("prod", new ApprovalRefused(REQUEST, SERVICE, RELEASE, "prod", "jane", "prod-chatops",
                        ApprovalRefused.Reason.SELF_APPROVAL, "jane authored 1.4.2")),
                event("prod", new ApprovalExpired(REQUEST, RELEASE, "prod", ApprovalExpired.Reason.SUPERSEDED, "1.5.0",
                        "1.5.0 asked for approval into prod")),
                event("prod", new AlertFiring("prod", SERVICE, "HighErrorRate", "5f8d2c1b9a4e7f30", AT, "critical",
                        "5xx above 5%", "https://prometheus.example.com/graph?g0.expr=up")),
                event("prod", new RollbackRequested("prod", SERVICE, "1.4.1", "sam", "error budget burn")),
                event("prod", new RollbackCompleted("prod", SERVICE, RELEASE, PREVIOUS,
                        new Trigger(Trigger.Type.SMOKETEST_FAILED, CAUSE), "9a0e5b3c17d24f6e8b1c0d9f2e7a4b6c5d3e1f08")),
                event("prod", new RollbackFailed("prod", SERVICE, RELEASE, PREVIOUS, "the GitOps push was refused",
                        new Trigger(Trigger.Type.ALERT_FIRING, CAUSE))),
                event("staging", new LedgerCheckpointed("staging", SERVICE, 4182,
                        new LedgerCheckpointed.Running(PREVIOUS, "3f9c2d7a41be0c5e88d21f6a0b7e4c19d2a5f801", CAUSE, AT,
                                true),
                        List.of(new LedgerCheckpointed.Verified(PREVIOUS, CAUSE, AT)), List.of(RELEASE),
                        List.of(new LedgerCheckpointed.Decided(REQUEST, "GRANTED", CAUSE, AT)),
                        List.of(new LedgerCheckpointed.Withdrawn(RELEASE, "dev",
                                new Trigger(Trigger.Type.SMOKETEST_FAILED, CAUSE), "failed in dev again",
                                "dev-rollback", CAUSE, AT)))),
                event("prod", new ReleaseWithdrawn(RELEASE, "prod", "staging", new Trigger(Trigger.Type.ALERT_FIRING, CAUSE),
                        "1.4.2 was rolled back in staging after alert HighErrorRate")),
                event("staging", new HoldReleased(RELEASE, "staging", "sam", "the smoke test's database was down")),
                event("staging", new DriftDetected(SERVICE, "staging", side(RELEASE, "ledger"),
                        new DriftDetected.Side("1.4.3-hotfix", null, "GitOps overlay"), side(PREVIOUS, "2 pods"),
                        List.of("the GitOps overlay declares 1.4.3-hotfix", "the pods run 1.4.1"))),
                event("staging", new DriftCleared(SERVICE, "staging", side(RELEASE, "ledger"), CAUSE)),
                event("prod", new PromotionFrozen(RELEASE, "prod", AT.plusSeconds(3_600),
                        List.of("weekly Fri 16:00 - Mon 08:00 (Europe/Berlin)", "from 2026-12-24 - 2027-01-01 (UTC)"),
                        "prod is frozen until Monday", new PromotionFrozen.Parked(REQUEST, "/stagecoach/prod/approval",
                        AT, CAUSE, CAUSE, "prod-approval", PromotionRequested.approved(RELEASE, "prod",
                        VERIFIED_IN_STAGING, new Approval(REQUEST, List.of("priya", "omar")))))),
                event("prod", new LineStopped("prod", "sam", "INC-512: payments degraded", AT.plusSeconds(7_200))),
                event("prod", new LineRestarted("prod", "sam", "INC-512 resolved", CAUSE)));
    }

    /** No optional field set. */
    static List<CloudEvent<?>> minimal() {
        return List.of(
                event("dev", new BuildCompleted(RELEASE), null),
                event("dev", PromotionRequested.build(RELEASE, "dev")),
                event("staging", new PromotionBlocked(RELEASE, "staging", PromotionBlocked.Reason.NOT_VERIFIED,
                        "no verification from dev", null)),
                event("dev", new DeploymentCompleted(RELEASE, "dev", "gitops", "1", null, false)),
                event("dev", new DeploymentFailed(RELEASE, "dev", "gitops", "push refused", 1, null)),
                event("dev", new SmokeTestPassed(RELEASE, "dev", PASSED_CHECKS)),
                event("dev", new SmokeTestFailed(RELEASE, "dev", SmokeTestFailed.Status.ERROR, List.of(),
                        "no route to knative-lambda-builder.knative-lambda-dev.svc")),
                event("prod", new ApprovalRequested(REQUEST, RELEASE, "prod", List.of("sre-team"), 1, AT,
                        AT.plusSeconds(60), VERIFIED_IN_STAGING)),
                event("prod", new ApprovalOpened(REQUEST, RELEASE, "prod", AT.plusMillis(1))),
                event("prod", new ApprovalDecided(REQUEST, SERVICE, "1.4.2", RELEASE.digest(), "prod",
                        ApprovalDecided.Decision.REJECT, "omar", null, false)),
                event("prod", new ApprovalGranted(REQUEST, RELEASE, "prod", List.of("priya"), 0, false, null)),
                event("prod", new ApprovalRejected(REQUEST, RELEASE, "prod", "omar", "no")),
                event("prod", new ApprovalRefused(null, SERVICE, null, "prod", "mallory", null,
                        ApprovalRefused.Reason.MISSING_USER_ID, "the decision carried no user_id")),
                event("prod", new ApprovalExpired(REQUEST, RELEASE, "prod", ApprovalExpired.Reason.EXPIRED, null)),
                event("prod", new AlertFiring("prod", SERVICE, "HighErrorRate", "5f8d2c1b9a4e7f30", AT, "warning",
                        "5xx above 1%", null)),
                event("prod", new RollbackRequested("prod", SERVICE, null, "sam", "error budget burn")),
                event("prod", new RollbackCompleted("prod", SERVICE, RELEASE, PREVIOUS,
                        new Trigger(Trigger.Type.ROLLBACK_REQUESTED, CAUSE), "2")),
                event("prod", new RollbackFailed("prod", SERVICE, null, null,
                        "no verified release of knative-lambda-builder in prod", new Trigger(Trigger.Type.DEPLOYMENT_FAILED, CAUSE))),
                event("dev", new LedgerCheckpointed("dev", SERVICE, -1, null, List.of(), List.of(), List.of(), List.of())),
                event("staging", new ReleaseWithdrawn(RELEASE, "staging", "dev",
                        new Trigger(Trigger.Type.SMOKETEST_FAILED, CAUSE), "1.4.2 failed its smoke tests in dev again")),
                event("dev", new HoldReleased(PREVIOUS, "dev", "sam", "retry")),
                event("dev", new DriftDetected(SERVICE, "dev", new DriftDetected.Side(null, null, "ledger"), null, null,
                        List.of("nothing is declared for it"))),
                event("dev", new DriftCleared(SERVICE, "dev", new DriftDetected.Side(null, null, "ledger"), CAUSE)),
                event("dev", new PromotionFrozen(RELEASE, "dev", null, List.of("the line stopped by sam"), "frozen",
                        new PromotionFrozen.Parked(REQUEST, "https://ci.example.com/builds/812", AT, CAUSE, null,
                                "dev-ci", PromotionRequested.build(RELEASE, "dev")))),
                event("dev", new LineStopped("dev", "sam", "stop", null)),
                event("dev", new LineRestarted("dev", "sam", "go", CAUSE)));
    }

    static List<CloudEvent<?>> all() {
        List<CloudEvent<?>> all = new ArrayList<>(full());
        all.addAll(minimal());
        return all;
    }

    private static <T extends EventData> CloudEvent<T> event(String environment, T data) {
        return event(environment, data, CAUSE);
    }

    private static <T extends EventData> CloudEvent<T> event(String environment, T data, String causationId) {
        String id = EventIds.derive(data.eventType().type(), environment, data.toString());
        return CloudEvent.of(data, "/stagecoach/" + environment + "/test", environment, RUN, causationId, id)
                .withTime(AT);
    }

    private static String repeat(char c, int times) {
        return String.valueOf(c).repeat(times);
    }
}
