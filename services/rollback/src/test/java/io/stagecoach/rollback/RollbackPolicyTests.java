package io.stagecoach.rollback;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.Trigger;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.StaleDecisionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class RollbackPolicyTests {

    private static final Environments ENVIRONMENTS = Environments.loadDefault();
    private static final RollbackPolicy POLICY = new RollbackPolicy(ENVIRONMENTS.get("staging"));
    private static final EventCodec CODEC = new EventCodec();
    private static final String SERVICE = "knative-lambda-builder";

    /**
     * {@code verified}: versions verified here, oldest first; {@code held}: versions held; {@code running}: what
     * the ledger says runs; {@code trigger}: smoke (failed for {@code failed}), deploy (failed for {@code failed}),
     * alert, or request (for {@code failed} as the requested version, may be null); {@code expected}: the version
     * put back, {@code failed} or {@code nothing}.
     */
    record Row(List<String> verified, List<String> held, String running, String trigger, String failed,
               String expected) {
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                row("smoke test failed, a last verified release exists", List.of("1.0.0", "1.1.0"), List.of(),
                        "1.2.0", "smoke", "1.2.0", "1.1.0"),
                row("smoke test failed, nothing verified", List.of(), List.of(), "1.0.0", "smoke", "1.0.0", "failed"),
                row("smoke test failed for a release that no longer runs", List.of("1.0.0"), List.of(), "1.1.0",
                        "smoke", "1.2.0", "nothing"),
                row("smoke test failed, the last verified is held", List.of("1.0.0", "1.1.0"), List.of("1.1.0"),
                        "1.2.0", "smoke", "1.2.0", "1.0.0"),
                row("deployment failed, what runs is the last verified", List.of("1.0.0", "1.1.0"), List.of(),
                        "1.1.0", "deploy", "1.2.0", "1.1.0"),
                row("deployment failed, nothing verified", List.of(), List.of(), null, "deploy", "1.2.0", "failed"),
                row("deployment failed before its cause was told apart: as an unhealthy release",
                        List.of("1.0.0", "1.1.0"), List.of(), "1.1.0", "deploy-legacy", "1.2.0", "1.1.0"),
                row("deployment not landed, the target unreachable", List.of("1.0.0", "1.1.0"), List.of(), "1.1.0",
                        "deploy-unreachable", "1.2.0", "nothing"),
                row("deployment not landed, the target refused it", List.of("1.0.0", "1.1.0"), List.of(), "1.1.0",
                        "deploy-refused", "1.2.0", "nothing"),
                row("deployment not landed, the environment kept changing", List.of("1.0.0", "1.1.0"), List.of(),
                        "1.1.0", "deploy-changed", "1.2.0", "nothing"),
                row("deployment not landed, nothing verified: still nothing held", List.of(), List.of(), null,
                        "deploy-unreachable", "1.2.0", "nothing"),
                row("alert, from is the last verified: the one before it", List.of("1.0.0", "1.1.0"), List.of(),
                        "1.1.0", "alert", null, "1.0.0"),
                row("alert, from is the only verified release", List.of("1.1.0"), List.of(), "1.1.0", "alert", null,
                        "failed"),
                row("alert, nothing runs", List.of("1.1.0"), List.of(), null, "alert", null, "failed"),
                row("request without a version: the last verified", List.of("1.0.0", "1.1.0"), List.of(), "1.2.0",
                        "request", null, "1.1.0"),
                row("request for a version verified here", List.of("1.0.0", "1.1.0"), List.of(), "1.2.0", "request",
                        "1.0.0", "1.0.0"),
                row("request for a version not verified here", List.of("1.0.0", "1.1.0"), List.of(), "1.2.0",
                        "request", "0.9.0", "failed"),
                row("request for a held version", List.of("1.0.0", "1.1.0"), List.of("1.0.0"), "1.2.0", "request",
                        "1.0.0", "failed"),
                row("request for the version that runs", List.of("1.0.0", "1.1.0"), List.of(), "1.1.0", "request",
                        "1.1.0", "failed"));
    }

    private static Arguments row(String name, List<String> verified, List<String> held, String running,
                                 String trigger, String failed, String expected) {
        return argumentSet(name, new Row(verified, held, running, trigger, failed, expected));
    }

    /** What holds a release: only what says the release is bad (ADR 32). */
    @ParameterizedTest(name = "{0} -> holds: {1}")
    @CsvSource({
            "smoke,              true",
            "alert,              true",
            "request,            true",
            "deploy,             true",
            "deploy-legacy,      true",
            "deploy-unreachable, false",
            "deploy-refused,     false",
            "deploy-changed,     false"})
    void onlyWhatSaysTheReleaseIsBadHoldsIt(String kind, boolean holds) {
        // a request names the version to put back (none: the last verified), the others the failed release
        CloudEvent<? extends EventData> trigger = trigger(kind, kind.equals("request") ? null : "1.2.0");
        var ledger = new FakeLedger(List.of(release("1.0.0")), List.of(), release("1.2.0"));

        RollbackDecision decision = POLICY.decide(trigger, ledger);

        assertThat(RollbackPolicy.blamesTheRelease(trigger.data())).isEqualTo(holds);
        // a rollback holds its from; a failed rollback that names one holds it too; nothing holds nothing
        boolean held = decision instanceof RollbackDecision.Rollback
                || decision instanceof RollbackDecision.Failed failed && failed.event().data().from() != null;
        assertThat(held).as("the decision holds the release").isEqualTo(holds);
        if (!holds) {
            assertThat(decision).isInstanceOfSatisfying(RollbackDecision.Nothing.class, nothing -> {
                assertThat(nothing.events()).isEmpty();
                assertThat(nothing.why()).contains("is not held");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("decisions")
    void putsBackTheLastVerifiedReleaseOrSaysWhyNot(Row row) {
        var ledger = new FakeLedger(row.verified().stream().map(RollbackPolicyTests::release).toList(),
                row.held().stream().map(RollbackPolicyTests::release).toList(),
                row.running() == null ? null : release(row.running()));
        CloudEvent<? extends EventData> trigger = trigger(row.trigger(), row.failed());

        RollbackDecision decision = POLICY.decide(trigger, ledger);

        switch (row.expected()) {
            // the last environment withdraws nothing: a decision announces its own outcome only
            case "nothing" -> assertThat(decision).isInstanceOf(RollbackDecision.Nothing.class)
                    .extracting(RollbackDecision::events).asInstanceOf(LIST).isEmpty();
            case "failed" -> assertThat(decision).isInstanceOfSatisfying(RollbackDecision.Failed.class, failed -> {
                assertThat(failed.events()).containsExactly(failed.event());
                assertThat(failed.event().routingKey()).isEqualTo("rollback.failed.staging");
                assertThat(failed.event().data().trigger()).isEqualTo(Trigger.of(trigger));
                assertThat(failed.event().causationid()).isEqualTo(trigger.id());
                assertThat(RollbackPolicy.outcomeIds(trigger)).contains(failed.event().id());
                assertThat(CODEC.encode(failed.event())).isNotEmpty();
            });
            default -> assertThat(decision).isInstanceOfSatisfying(RollbackDecision.Rollback.class, rollback -> {
                assertThat(rollback.to()).isEqualTo(release(row.expected()));
                assertThat(rollback.events()).as("announced once the target answered").isEmpty();
                Deployment deployment = rollback.deployment();
                assertThat(deployment.environment()).isEqualTo("staging");
                assertThat(deployment.version()).isEqualTo(row.expected());
                assertThat(deployment.digest()).isEqualTo(release(row.expected()).digest());
                assertThat(deployment.trailers()).containsEntry(Deployment.EVENT_ID, trigger.id());
            });
        }
    }

    @Test
    void aRollbackLandsOnlyOverTheReleaseTheLedgerSaysRuns() {
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.2.0"));

        var rollback = (RollbackDecision.Rollback) POLICY.decide(trigger("smoke", "1.2.0"), ledger);
        var refused = rollback.failed(new StaleDecisionException(rollback.deployment(),
                new RunningRelease("1.3.0", release("1.3.0").image(), release("1.3.0").digest(), "abc")).getMessage());

        assertThat(rollback.deployment().expected())
                .isEqualTo(new Deployment.Expected("1.2.0", release("1.2.0").digest()));
        assertThat(refused.event().data().reason()).contains("putting back 1.1.0 failed", "saw 1.2.0@",
                "now holds 1.3.0@", "revision abc", "nothing was changed");
    }

    @Test
    void announcesTheRollbackWithFromToTriggerAndRevision() {
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.2.0"));
        var trigger = trigger("smoke", "1.2.0");

        var rollback = (RollbackDecision.Rollback) POLICY.decide(trigger, ledger);
        RollbackDecision.RolledBack rolledBack = rollback.completed(new DeployResult(
                "0123456789abcdef0123456789abcdef01234567", true, "1.2.0"));
        RollbackDecision.Failed notPutBack = rollback.failed("push refused");
        var completed = rolledBack.event();
        var failed = notPutBack.event();

        assertThat(rolledBack.events()).containsExactly(completed);
        assertThat(notPutBack.events()).containsExactly(failed);

        assertThat(completed.routingKey()).isEqualTo("rollback.completed.staging");
        assertThat(completed.data().from()).isEqualTo(release("1.2.0"));
        assertThat(completed.data().to()).isEqualTo(release("1.1.0"));
        assertThat(completed.data().trigger()).isEqualTo(new Trigger(Trigger.Type.SMOKETEST_FAILED, trigger.id()));
        assertThat(completed.data().revision()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(completed.correlationid()).isEqualTo(trigger.correlationid());
        assertThat(failed.data().reason()).contains("1.1.0", "push refused");
        assertThat(RollbackPolicy.outcomeIds(trigger)).containsExactlyInAnyOrder(completed.id(), failed.id());
        assertThat(CODEC.encode(completed)).isNotEmpty();
        assertThat(CODEC.encode(failed)).isNotEmpty();
    }

    @Test
    void holdsNothingWhenARequestAsksForAVersionThatCannotBePutBack() {
        var ledger = new FakeLedger(List.of(release("1.0.0")), List.of(), release("1.1.0"));

        var failed = (RollbackDecision.Failed) POLICY.decide(trigger("request", "0.9.0"), ledger);

        assertThat(failed.event().data().from()).isNull();
        assertThat(failed.event().data().reason()).contains("0.9.0", "never verified", "running: 1.1.0");
    }

    @Test
    void holdsTheFailedReleaseWhenNothingCanBePutBack() {
        var failed = (RollbackDecision.Failed) POLICY.decide(trigger("smoke", "1.0.0"),
                new FakeLedger(List.of(), List.of(), release("1.0.0")));

        assertThat(failed.event().data().from()).isEqualTo(release("1.0.0"));
        assertThat(failed.event().data().to()).isNull();
        assertThat(failed.event().data().reason()).contains("no verified release");
    }

    /** When the alerts of the tables start. */
    static final Instant ALERT_STARTS = Instant.parse("2026-11-26T10:00:00Z");

    static Stream<Arguments> alertsAndWhatRunsSinceWhen() {
        return Stream.of(
                alertRow("started an hour before the running release was deployed", Duration.ofHours(1), "stale"),
                alertRow("started a millisecond before the deployment", Duration.ofMillis(1), "stale"),
                alertRow("started as the release was deployed", Duration.ZERO, "1.0.0"),
                alertRow("started a minute after the deployment", Duration.ofMinutes(-1), "1.0.0"),
                alertRow("started a day after the deployment", Duration.ofDays(-1), "1.0.0"));
    }

    private static Arguments alertRow(String name, Duration startedBeforeDeployment, String expected) {
        return argumentSet(name, startedBeforeDeployment, expected);
    }

    @ParameterizedTest
    @MethodSource("alertsAndWhatRunsSinceWhen")
    void anAlertThatStartedBeforeTheRunningReleaseWasDeployedIsAboutThePreviousOneAndRollsNothingBack(
            Duration startedBeforeDeployment, String expected) {
        Instant deployedAt = ALERT_STARTS.plus(startedBeforeDeployment);
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.1.0"),
                deployedAt);
        CloudEvent<? extends EventData> alert = trigger("alert", null);

        RollbackDecision decision = POLICY.decide(alert, ledger);

        if (expected.equals("stale")) {
            assertThat(decision).isInstanceOfSatisfying(RollbackDecision.StaleAlert.class, stale -> {
                assertThat(stale.alert()).isEqualTo(alert);
                assertThat(stale.running()).isEqualTo(release("1.1.0"));
                assertThat(stale.deployedAt()).isEqualTo(deployedAt);
                assertThat(stale.why()).contains("HighErrorRate", "0123456789abcdef", ALERT_STARTS.toString(),
                        "1.1.0", deployedAt.toString(), "nothing rolled back");
            });
        } else {
            assertThat(decision).isInstanceOfSatisfying(RollbackDecision.Rollback.class,
                    rollback -> assertThat(rollback.to()).isEqualTo(release(expected)));
        }
    }

    @Test
    void onlyAlertsAreJudgedByWhenTheyStarted() {
        // what runs was deployed after everything the other triggers know of: they still roll back
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.2.0"),
                Instant.parse("2999-01-01T00:00:00Z"));

        assertThat(POLICY.decide(trigger("smoke", "1.2.0"), ledger)).isInstanceOf(RollbackDecision.Rollback.class);
        assertThat(POLICY.decide(trigger("deploy", "1.2.0"), ledger)).isInstanceOf(RollbackDecision.Rollback.class);
        assertThat(POLICY.decide(trigger("request", null), ledger)).isInstanceOf(RollbackDecision.Rollback.class);
        assertThat(POLICY.decide(trigger("alert", null), ledger)).isInstanceOf(RollbackDecision.StaleAlert.class);
    }

    /**
     * When the next environment must stop trusting a release: {@code verified} and {@code held} as above (versions,
     * oldest first, {@code ;}-separated), {@code running} what runs, {@code trigger} for {@code failed};
     * {@code withdrawn} the version withdrawn from prod, or {@code -}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                                  | verified    | held  | running | trigger | failed | withdrawn
            "rolled back after an alert                             | 1.0.0;1.1.0 | -     | 1.1.0   | alert   | -      | 1.1.0",
            "rolled back on an operator's request                   | 1.0.0;1.1.0 | -     | 1.1.0   | request | -      | 1.1.0",
            "rolled back to an older version the operator named     | 1.0.0;1.1.0 | -     | 1.1.0   | request | 1.0.0  | 1.1.0",
            "held after a failed rollback: nothing else verified    | 1.1.0       | -     | 1.1.0   | alert   | -      | 1.1.0",
            "failed its smoke tests again while it runs             | 1.0.0;1.1.0 | -     | 1.1.0   | smoke   | 1.1.0  | 1.1.0",
            "failed its smoke tests again after it was replaced     | 1.0.0;1.1.0 | -     | 1.2.0   | smoke   | 1.1.0  | 1.1.0",
            "a new release failed its first smoke tests             | 1.0.0       | -     | 1.1.0   | smoke   | 1.1.0  | -",
            "a release that was never verified failed to deploy     | 1.0.0       | -     | 1.0.0   | deploy  | 1.1.0  | -",
            "an operator named a version that cannot be put back    | 1.0.0;1.1.0 | -     | 1.1.0   | request | 0.9.0  | -",
            "nothing runs that could be rolled back                 | 1.0.0       | -     | -       | alert   | -      | -",
    })
    void withdrawsAReleaseVerifiedHereFromTheNextEnvironmentWhenItIsHeldOrFailsAgain(String name, String verified,
            String held, String running, String kind, String failed, String withdrawn) {
        var policy = new RollbackPolicy(ENVIRONMENTS.get("staging"), ENVIRONMENTS.next("staging"));
        var ledger = new FakeLedger(versions(verified), versions(held), running.equals("-") ? null : release(running));
        CloudEvent<? extends EventData> trigger = trigger(kind, failed.equals("-") ? null : failed);

        RollbackDecision decision = policy.decide(trigger, ledger);
        var withdrawal = decision.withdrawal();

        if (withdrawn.equals("-")) {
            assertThat(withdrawal).isEmpty();
            assertThat(decision.events()).noneMatch(event -> event.data() instanceof ReleaseWithdrawn);
            return;
        }
        assertThat(decision.events()).as("the withdrawal goes out first").first().isEqualTo(withdrawal.get());
        assertThat(withdrawal).get().satisfies(event -> {
            ReleaseWithdrawn data = event.data();
            assertThat(event.routingKey()).as("published in staging, addressed to prod").isEqualTo(
                    "release.withdrawn.prod");
            assertThat(data.release()).isEqualTo(release(withdrawn));
            assertThat(data.environment()).isEqualTo("prod");
            assertThat(data.withdrawnIn()).isEqualTo("staging");
            assertThat(data.trigger()).isEqualTo(Trigger.of(trigger));
            assertThat(data.message()).contains(withdrawn + " of " + SERVICE, "may not enter prod");
            assertThat(event.causationid()).isEqualTo(trigger.id());
            assertThat(event.correlationid()).isEqualTo(trigger.correlationid());
            assertThat(event.source()).isEqualTo("/stagecoach/staging/rollback");
            assertThat(RollbackPolicy.outcomeIds(trigger)).as("not an outcome: the rollback is still to do")
                    .doesNotContain(event.id());
            assertThat(CODEC.encode(event)).isNotEmpty();
        });
        assertThat(policy.decide(trigger, ledger).withdrawal()).get()
                .extracting(CloudEvent::id).as("the same id every time").isEqualTo(withdrawal.get().id());
    }

    @Test
    void aDecisionThatHoldsOrSeesAVerifiedReleaseFailAgainAnnouncesTheWithdrawalFirst() {
        var policy = new RollbackPolicy(ENVIRONMENTS.get("staging"), ENVIRONMENTS.next("staging"));

        var failed = (RollbackDecision.Failed) policy.decide(trigger("alert", null),
                new FakeLedger(List.of(release("1.1.0")), List.of(), release("1.1.0")));
        var nothing = (RollbackDecision.Nothing) policy.decide(trigger("smoke", "1.1.0"),
                new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.2.0")));
        var rollback = (RollbackDecision.Rollback) policy.decide(trigger("alert", null),
                new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.1.0")));

        assertThat(failed.events()).containsExactly(failed.withdrawal().orElseThrow(), failed.event());
        assertThat(nothing.events()).containsExactly(nothing.withdrawal().orElseThrow());
        assertThat(rollback.events()).as("before the deploy").containsExactly(rollback.withdrawal().orElseThrow());
        assertThat(rollback.failed("push refused").events()).as("the withdrawal went out before the deploy")
                .singleElement().extracting(CloudEvent::eventType).isEqualTo(EventType.ROLLBACK_FAILED);
    }

    @Test
    void theLastEnvironmentWithdrawsNothing() {
        var policy = new RollbackPolicy(ENVIRONMENTS.get("prod"), ENVIRONMENTS.next("prod"));
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.1.0"));
        var trigger = trigger("alert", null);

        assertThat(policy.decide(trigger, ledger).withdrawal()).isEmpty();
    }

    @Test
    void aWithdrawalSaysWhatHappenedAndWho() {
        var policy = new RollbackPolicy(ENVIRONMENTS.get("staging"), ENVIRONMENTS.next("staging"));
        var ledger = new FakeLedger(List.of(release("1.0.0"), release("1.1.0")), List.of(), release("1.1.0"));
        var trigger = trigger("request", null);

        ReleaseWithdrawn data = policy.decide(trigger, ledger).withdrawal().orElseThrow().data();

        assertThat(data.message()).isEqualTo("1.1.0 of knative-lambda-builder is held in staging, rolled back to "
                + "1.0.0 after a rollback asked for by alice: bad release; it may not enter prod on staging's "
                + "verification");
    }

    private static List<Release> versions(String list) {
        return list.equals("-") ? List.of() : java.util.Arrays.stream(list.split(";")).map(RollbackPolicyTests::release)
                .toList();
    }

    static Release release(String version) {
        String hex = Integer.toHexString(version.hashCode() & 0x7fffffff);
        return new Release(SERVICE, version, "ghcr.io/acme/knative-lambda-builder",
                "sha256:" + "0".repeat(64 - hex.length()) + hex, "0123456789abcdef0123456789abcdef01234567", "jane");
    }

    static CloudEvent<? extends EventData> trigger(String kind, String version) {
        String id = EventIds.derive("test", kind, String.valueOf(version));
        String run = EventIds.derive("test", "run");
        return switch (kind) {
            case "smoke" -> CloudEvent.of(new SmokeTestFailed(release(version), "staging",
                    SmokeTestFailed.Status.FAILED, List.of(new SmokeCheck("health", "http://svc/health", 200, 500,
                    SmokeCheck.Result.FAILED, "500", 5)), "health answered 500"), "/stagecoach/staging/smoke-test",
                    "staging", run, EventIds.derive("test", "deployed"), id);
            case "deploy", "deploy-legacy", "deploy-unreachable", "deploy-refused", "deploy-changed" ->
                    CloudEvent.of(new DeploymentFailed(release(version), "staging", "kubernetes",
                    "the rollout did not become ready", 3, cause(kind)), "/stagecoach/staging/promotion", "staging",
                    run, EventIds.derive("test", "requested"), id);
            case "alert" -> CloudEvent.of(new AlertFiring("staging", SERVICE, "HighErrorRate", "0123456789abcdef",
                    ALERT_STARTS, "critical", "errors above 5%", null),
                    "/stagecoach/staging/rollback", "staging", id, id, id);
            default -> CloudEvent.of(new RollbackRequested("staging", SERVICE, version, "alice", "bad release"),
                    "/stagecoach/staging/cli", "staging", id, id, id);
        };
    }

    /** The cause of a {@code deploy*} trigger: {@code deploy} is a rollout the target found unhealthy. */
    private static DeploymentFailed.Cause cause(String kind) {
        return switch (kind) {
            case "deploy" -> DeploymentFailed.Cause.RELEASE_UNHEALTHY;
            case "deploy-unreachable" -> DeploymentFailed.Cause.TARGET_UNREACHABLE;
            case "deploy-refused" -> DeploymentFailed.Cause.TARGET_REFUSED;
            case "deploy-changed" -> DeploymentFailed.Cause.TARGET_CHANGED;
            default -> null;
        };
    }

    /** A ledger with releases verified in order, some held, one running since {@code deployedAt}. */
    record FakeLedger(List<Release> verified, List<Release> held, Release runs, Instant deployedAt)
            implements LedgerView {

        /** What runs was deployed an hour before the alerts of the tables started. */
        FakeLedger(List<Release> verified, List<Release> held, Release runs) {
            this(verified, held, runs, ALERT_STARTS.minus(Duration.ofHours(1)));
        }

        @Override
        public Optional<Instant> runningSince(String service) {
            return Optional.ofNullable(runs).map(r -> deployedAt);
        }

        @Override
        public Optional<Release> running(String service) {
            return Optional.ofNullable(runs);
        }

        @Override
        public Optional<Release> lastVerified(String service, Release excluding) {
            List<Release> candidates = new ArrayList<>(verified);
            java.util.Collections.reverse(candidates);
            return candidates.stream().filter(r -> !isHeld(r) && (excluding == null || !r.sameBuildAs(excluding)))
                    .findFirst();
        }

        @Override
        public Optional<Release> verifiedVersion(String service, String version) {
            return verified.stream().filter(r -> r.version().equals(version)).reduce((a, b) -> b);
        }

        @Override
        public boolean isHeld(Release release) {
            return held.stream().anyMatch(release::sameBuildAs);
        }

        @Override
        public boolean isVerified(Release release) {
            return verified.stream().anyMatch(release::sameBuildAs);
        }

        @Override
        public List<EnvironmentLedger.Withdrawal> withdrawals(Release release) {
            throw new UnsupportedOperationException("the rollback policy does not read withdrawals from before");
        }

        @Override
        public Optional<java.time.Instant> lastAlertAt(String service) {
            throw new UnsupportedOperationException("the rollback policy does not read when alerts fired");
        }

        @Override
        public Optional<EnvironmentLedger.LineStop> lineStop() {
            throw new UnsupportedOperationException("a rollback is never stopped by a freeze");
        }
    }
}
