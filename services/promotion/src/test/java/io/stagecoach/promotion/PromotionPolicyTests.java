package io.stagecoach.promotion;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.stagecoach.events.Approval;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.PromotionRequested.Reason;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.EnvironmentLedger.Withdrawal;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.promotion.Releases.FakeLedger;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.RunningRelease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static io.stagecoach.promotion.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class PromotionPolicyTests {

    private static final Environments ENVIRONMENTS = Environments.loadDefault();
    private static final EventCodec CODEC = new EventCodec();
    private static final String V = "1.2.0";

    /**
     * One request into one environment. {@code verifiedIn} names the environment the request says verified it;
     * {@code running} is what the target runs ({@code same} = the requested build); {@code announced} whether the
     * ledger saw that deployment; {@code expected} is {@code deploy}, {@code nothing} or a block reason.
     */
    record Row(String environment, String version, Reason reason, String verifiedIn, boolean approval,
               String publisher, boolean held, boolean verifiedHere, String running, boolean announced,
               String expected) {
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                row("first environment, a build", "dev", V, Reason.BUILD, null, false, "dev-build-completed",
                        false, false, null, false, "deploy"),
                row("first environment, a build published by someone else", "dev", V, Reason.BUILD, null, false,
                        "dev-rollback", false, false, null, false, "NOT_VERIFIED"),
                row("first environment, a verification instead of a build", "dev", V, Reason.VERIFIED, "dev",
                        false, "dev-promotion", false, false, null, false, "NOT_VERIFIED"),
                row("auto environment, verified by the previous one", "staging", V, Reason.VERIFIED, "dev", false,
                        "dev-promotion", false, false, null, false, "deploy"),
                row("auto environment, verified by another environment", "staging", V, Reason.VERIFIED, "prod",
                        false, "dev-promotion", false, false, null, false, "NOT_VERIFIED"),
                row("auto environment, verification forged by its own promotion user", "staging", V,
                        Reason.VERIFIED, "dev", false, "staging-promotion", false, false, null, false,
                        "NOT_VERIFIED"),
                row("auto environment, a build", "staging", V, Reason.BUILD, null, false, "staging-build-completed",
                        false, false, null, false, "NOT_VERIFIED"),
                row("auto environment, an approval instead of a verification", "staging", V, Reason.APPROVED,
                        "dev", true, "staging-approval", false, false, null, false, "NOT_VERIFIED"),
                row("manual environment, verified but not approved", "prod", V, Reason.VERIFIED, "staging", false,
                        "staging-promotion", false, false, null, false, "NO_APPROVAL"),
                row("manual environment, approved", "prod", V, Reason.APPROVED, "staging", true, "prod-approval",
                        false, false, null, false, "deploy"),
                row("manual environment, approval published by the rollback user", "prod", V, Reason.APPROVED,
                        "staging", true, "prod-rollback", false, false, null, false, "NO_APPROVAL"),
                row("manual environment, approved but verified elsewhere", "prod", V, Reason.APPROVED, "dev", true,
                        "prod-approval", false, false, null, false, "NOT_VERIFIED"),
                row("manual environment, a build", "prod", V, Reason.BUILD, null, false, "prod-build-completed",
                        false, false, null, false, "NO_APPROVAL"),
                row("held release, a build", "dev", V, Reason.BUILD, null, false, "dev-build-completed", true,
                        false, null, false, "HELD"),
                row("held release, verified by the previous environment", "staging", V, Reason.VERIFIED, "dev",
                        false, "dev-promotion", true, false, null, false, "HELD"),
                row("held release, overridden by an approver", "prod", V, Reason.OVERRIDE, null, true,
                        "prod-approval", true, false, null, false, "deploy"),
                row("override published by someone other than the approval service", "prod", V, Reason.OVERRIDE,
                        null, true, "prod-chatops", false, false, null, false, "NO_APPROVAL"),
                row("older than running", "dev", V, Reason.BUILD, null, false, "dev-build-completed", false, false,
                        "1.3.0", true, "OLDER_THAN_RUNNING"),
                row("pre-release of the running release", "dev", "1.1.0-bad", Reason.BUILD, null, false,
                        "dev-build-completed", false, false, "1.1.0", true, "OLDER_THAN_RUNNING"),
                row("overridden but older than running", "prod", V, Reason.OVERRIDE, null, true, "prod-approval",
                        false, false, "1.3.0", true, "OLDER_THAN_RUNNING"),
                row("newer than running", "dev", V, Reason.BUILD, null, false, "dev-build-completed", false, false,
                        "1.1.0", true, "deploy"),
                row("release newer than the running pre-release", "dev", "1.1.0", Reason.BUILD, null, false,
                        "dev-build-completed", false, false, "1.1.0-rc.1", true, "deploy"),
                row("running version not a semantic version", "dev", V, Reason.BUILD, null, false,
                        "dev-build-completed", false, false, "latest", false, "deploy"),
                row("same release already running and announced", "dev", V, Reason.BUILD, null, false,
                        "dev-build-completed", false, false, "same", true, "nothing"),
                row("same release in the target but never announced", "dev", V, Reason.BUILD, null, false,
                        "dev-build-completed", false, false, "same", false, "deploy"),
                // the rollback service deploys what it puts back itself: a ROLLBACK request rests on nothing
                row("rollback to a release verified here, older than running", "staging", V, Reason.ROLLBACK,
                        "staging", false, "staging-rollback", false, true, "1.3.0", true, "NOT_VERIFIED"),
                row("rollback to a release not verified here", "staging", V, Reason.ROLLBACK, "staging", false,
                        "staging-rollback", false, false, "1.3.0", true, "NOT_VERIFIED"),
                row("rollback published by someone else", "staging", V, Reason.ROLLBACK, "staging", false,
                        "staging-promotion", false, true, "1.3.0", true, "NOT_VERIFIED"));
    }

    private static Arguments row(String name, String environment, String version, Reason reason, String verifiedIn,
                                 boolean approval, String publisher, boolean held, boolean verifiedHere,
                                 String running, boolean announced, String expected) {
        return argumentSet(name, new Row(environment, version, reason, verifiedIn, approval, publisher, held,
                verifiedHere, running, announced, expected));
    }

    @ParameterizedTest
    @MethodSource("decisions")
    void decidesByGateHoldAndRunningRelease(Row row) {
        Release release = release(row.version());
        CloudEvent<PromotionRequested> request = request(row, release);
        Release runningRelease = row.running() == null ? null
                : row.running().equals("same") ? release : release(row.running());
        Optional<RunningRelease> running = Optional.ofNullable(runningRelease)
                .map(r -> new RunningRelease(r.version(), r.image(), r.digest(), "abc123"));
        FakeLedger ledger = new FakeLedger(row.held() ? Set.of(release) : Set.of(),
                row.verifiedHere() ? Set.of(release) : Set.of(), row.announced() ? runningRelease : null);

        PromotionDecision decision = policy(row.environment()).decide(request, row.publisher(), ledger, running, NOW);

        switch (row.expected()) {
            // a deployment is announced once the target answered, see below
            case "deploy" -> assertThat(decision).isInstanceOf(PromotionDecision.Deploy.class)
                    .extracting(PromotionDecision::events).asInstanceOf(LIST).isEmpty();
            case "nothing" -> assertThat(decision).isInstanceOf(PromotionDecision.Nothing.class)
                    .extracting(PromotionDecision::events).asInstanceOf(LIST).isEmpty();
            default -> {
                assertThat(decision).isInstanceOfSatisfying(PromotionDecision.Blocked.class, blocked -> {
                    assertThat(blocked.events()).containsExactly(blocked.event());
                    assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.valueOf(row.expected()));
                    assertThat(blocked.event().routingKey()).isEqualTo("promotion.blocked." + row.environment());
                    assertThat(blocked.event().causationid()).isEqualTo(request.id());
                    assertThat(PromotionPolicy.outcomeIds(request)).contains(blocked.event().id());
                    assertThat(CODEC.encode(blocked.event())).isNotEmpty();
                });
            }
        }
    }

    /**
     * A request for a release the previous environment withdrew: {@code withdrawnBy} published the withdrawal
     * ({@code -} for none, empty for a record without user_id); only the previous environment's rollback service
     * counts.
     */
    @ParameterizedTest(name = "{0} into {1} by {2}, withdrawn by {3}: {4}")
    @CsvSource({
            // reason,  into,    published by,      withdrawn by,        expected
            "APPROVED,  prod,    prod-approval,     staging-rollback,    WITHDRAWN",
            "OVERRIDE,  prod,    prod-approval,     staging-rollback,    WITHDRAWN",
            "APPROVED,  prod,    prod-approval,     -,                   deploy",
            "APPROVED,  prod,    prod-approval,     staging-promotion,   deploy",
            "APPROVED,  prod,    prod-approval,     prod-rollback,       deploy",
            "APPROVED,  prod,    prod-approval,     dev-rollback,        deploy",
            "APPROVED,  prod,    prod-approval,     '',                  deploy",
            "VERIFIED,  staging, dev-promotion,     dev-rollback,        WITHDRAWN",
            "VERIFIED,  staging, dev-promotion,     staging-rollback,    deploy",
            // nobody may request a rollback through promotion (the rollback service deploys its target itself)
            "ROLLBACK,  staging, staging-rollback,  dev-rollback,        NOT_VERIFIED",
            "VERIFIED,  staging, staging-promotion, dev-rollback,        NOT_VERIFIED",
    })
    void blocksAReleaseThePreviousEnvironmentWithdrewOnlyOnTheWordOfItsRollbackService(Reason reason,
            String environment, String publisher, String withdrawnBy, String expected) {
        Release release = release(V);
        String previous = ENVIRONMENTS.previous(environment).orElseThrow().name();
        String verifiedIn = reason == Reason.ROLLBACK ? environment : previous;
        Row row = new Row(environment, V, reason, verifiedIn, reason == Reason.APPROVED || reason == Reason.OVERRIDE,
                publisher, false, true, null, false, expected);
        String publishedBy = withdrawnBy == null || withdrawnBy.isEmpty() ? null : withdrawnBy;
        List<Withdrawal> withdrawals = "-".equals(withdrawnBy) ? List.of() : List.of(new Withdrawal(
                new ReleaseWithdrawn(release, environment, previous, new Trigger(Trigger.Type.ALERT_FIRING,
                        uuid("alert")), V + " was rolled back in " + previous), publishedBy, uuid("withdrawal"), null));
        var ledger = new FakeLedger(Set.of(), Set.of(release), null, withdrawals);

        PromotionDecision decision = policy(environment).decide(request(row, release), publisher, ledger,
                Optional.empty(), NOW);

        if (expected.equals("deploy")) {
            assertThat(decision).isInstanceOf(PromotionDecision.Deploy.class);
        } else {
            assertThat(decision).isInstanceOfSatisfying(PromotionDecision.Blocked.class, blocked -> {
                assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.valueOf(expected));
                if (expected.equals("WITHDRAWN")) {
                    assertThat(blocked.event().data().message()).contains(previous + " withdrew it",
                            "was rolled back in " + previous);
                }
            });
        }
    }

    @ParameterizedTest(name = "running here: {0}")
    @CsvSource({"none", "other", "same"})
    void aWithdrawalBlocksTheReleaseHereAndSaysWhenItRunsAlready(String running) {
        Release release = release(V);
        Release runs = switch (running) {
            case "same" -> release;
            case "other" -> release("1.1.0");
            default -> null;
        };
        var withdrawal = CloudEvent.of(new ReleaseWithdrawn(release, "prod", "staging",
                        new Trigger(Trigger.Type.ROLLBACK_REQUESTED, uuid("asked")), "rolled back by sam"),
                "/stagecoach/staging/rollback", "prod", uuid("run"), uuid("asked"), uuid("withdrawal"));

        PromotionDecision.Blocked blocked = policy("prod").withdrawn(withdrawal,
                new FakeLedger(Set.of(), Set.of(), runs));

        assertThat(blocked.events()).containsExactly(blocked.event());
        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(blocked.event().routingKey()).isEqualTo("promotion.blocked.prod");
        assertThat(blocked.event().causationid()).isEqualTo(withdrawal.id());
        assertThat(blocked.event().correlationid()).isEqualTo(withdrawal.correlationid());
        assertThat(PromotionPolicy.outcomeIds(withdrawal)).contains(blocked.event().id());
        assertThat(blocked.event().data().message()).contains("may no longer enter prod", "staging withdrew it",
                "rolled back by sam");
        assertThat(blocked.event().data().runningVersion()).isEqualTo(runs == null ? null : runs.version());
        if (running.equals("same")) {
            assertThat(blocked.event().data().message()).contains("already runs in prod");
        } else {
            assertThat(blocked.event().data().message()).doesNotContain("already runs");
        }
        assertThat(CODEC.encode(blocked.event())).isNotEmpty();
    }

    @Test
    void reportsTheRunningVersionOfAnOlderThanRunningBlock() {
        CloudEvent<PromotionRequested> request = build(release("1.0.0"));
        var decision = policy("dev").decide(request, "dev-build-completed", FakeLedger.empty(),
                Optional.of(new RunningRelease("1.1.0", Releases.IMAGE, Releases.digestOf("1.1.0"), "abc")), NOW);

        assertThat(decision).isInstanceOfSatisfying(PromotionDecision.Blocked.class, blocked -> {
            assertThat(blocked.event().data().runningVersion()).isEqualTo("1.1.0");
            assertThat(blocked.event().data().message()).contains("1.0.0", "older than 1.1.0");
        });
    }

    @Test
    void aDeploymentLandsOnlyOverWhatTheTargetSaidRunsAndADecisionOnANewerPinBlocksIt() {
        CloudEvent<PromotionRequested> request = build(release("1.2.0"));
        var over = new RunningRelease("1.1.0", Releases.IMAGE, Releases.digestOf("1.1.0"), "abc");

        var deploy = (PromotionDecision.Deploy) policy("dev").decide(request, "dev-build-completed",
                FakeLedger.empty(), Optional.of(over), NOW);
        var first = (PromotionDecision.Deploy) policy("dev").decide(request, "dev-build-completed",
                FakeLedger.empty(), Optional.empty(), NOW);
        // the target refused: 1.3.0 was committed in between; decided again on it
        var again = policy("dev").decide(request, "dev-build-completed", FakeLedger.empty(),
                Optional.of(new RunningRelease("1.3.0", Releases.IMAGE, Releases.digestOf("1.3.0"), "def")), NOW);

        assertThat(deploy.deployment().expected())
                .isEqualTo(new Deployment.Expected("1.1.0", Releases.digestOf("1.1.0")));
        assertThat(first.deployment().expected()).isEqualTo(Deployment.Expected.nothing());
        assertThat(again).isInstanceOfSatisfying(PromotionDecision.Blocked.class, blocked -> {
            assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.OLDER_THAN_RUNNING);
            assertThat(blocked.event().data().runningVersion()).isEqualTo("1.3.0");
        });
    }

    @Test
    void anEnvironmentTheTargetFoundNotReadyBlocksTheDeploymentNamingEveryProblemButNeverARollback() {
        var deploy = (PromotionDecision.Deploy) policy("dev").decide(build(release(V)), "dev-build-completed",
                FakeLedger.empty(), Optional.empty(), NOW);
        var running = Optional.of(new RunningRelease("1.1.0", Releases.IMAGE, Releases.digestOf("1.1.0"), "abc"));
        List<String> problems = List.of("namespace knative-lambda-dev has no default-deny NetworkPolicy",
                "ResourceQuota compute has 0 of pods left");

        assertThat(policy("dev").preflight(deploy, List.of(), running)).isSameAs(deploy);
        assertThat(policy("dev").preflight(deploy, problems, running))
                .isInstanceOfSatisfying(PromotionDecision.Blocked.class, blocked -> {
                    assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.PREFLIGHT_FAILED);
                    assertThat(blocked.event().data().message()).contains("cannot go into dev now",
                            "no default-deny NetworkPolicy", "0 of pods left");
                    assertThat(blocked.event().data().runningVersion()).isEqualTo("1.1.0");
                    assertThat(blocked.event().routingKey()).isEqualTo("promotion.blocked.dev");
                });

        var rollback = CloudEvent.of(PromotionRequested.rollback(release("1.1.0"), "staging",
                new Verification("staging", uuid("pass"))), "/stagecoach/staging/rollback", "staging", uuid("run"),
                uuid("cause"), uuid("rollback"));
        var putBack = new PromotionDecision.Deploy(rollback, deploy.deployment(), deploy.source(), deploy.target());
        assertThat(policy("staging").preflight(putBack, problems, running)).isSameAs(putBack);
    }

    @Test
    void deploysWithTheRequestRunAndApproversAsTrailers() {
        Release release = release(V);
        var data = PromotionRequested.approved(release, "prod", new Verification("staging", uuid("pass")),
                new Approval(uuid("request"), List.of("alice", "bob")));
        var request = CloudEvent.of(data, "/stagecoach/prod/approval", "prod", uuid("run"), uuid("cause"),
                uuid("approved"));

        var decision = policy("prod").decide(request, "prod-approval", FakeLedger.empty(), Optional.empty(), NOW);

        assertThat(decision).isInstanceOfSatisfying(PromotionDecision.Deploy.class, deploy -> {
            Deployment deployment = deploy.deployment();
            assertThat(deployment.environment()).isEqualTo("prod");
            assertThat(deployment.version()).isEqualTo(V);
            assertThat(deployment.digest()).isEqualTo(release.digest());
            assertThat(deployment.trailers()).containsEntry(Deployment.EVENT_ID, request.id())
                    .containsEntry(Deployment.RUN_ID, uuid("run"))
                    .containsEntry(Deployment.APPROVED_BY, "alice, bob");
        });
    }

    @Test
    void announcesADeploymentWithTheTargetsRevisionAndAnIdDerivedFromTheRequest() {
        CloudEvent<PromotionRequested> request = build(release(V));
        var deploy = (PromotionDecision.Deploy) policy("dev").decide(request, "dev-build-completed",
                FakeLedger.empty(), Optional.empty(), NOW);

        var completed = deploy.completed(new DeployResult("0123456789abcdef0123456789abcdef01234567", true, "1.1.0"))
                .event();
        var again = deploy.completed(new DeployResult("0123456789abcdef0123456789abcdef01234567", false, "1.1.0"))
                .event();
        var failed = deploy.failed("push refused", 3, DeploymentFailed.Cause.TARGET_REFUSED).event();

        assertThat(completed.routingKey()).isEqualTo("deployment.completed.dev");
        assertThat(completed.data().target()).isEqualTo("gitops");
        assertThat(completed.data().previousVersion()).isEqualTo("1.1.0");
        assertThat(completed.correlationid()).isEqualTo(request.correlationid());
        assertThat(again.id()).isEqualTo(completed.id());
        assertThat(failed.routingKey()).isEqualTo("deployment.failed.dev");
        assertThat(failed.data().attempts()).isEqualTo(3);
        assertThat(failed.data().cause()).isEqualTo(DeploymentFailed.Cause.TARGET_REFUSED);
        assertThat(PromotionPolicy.outcomeIds(request)).contains(completed.id(), failed.id());
        assertThat(CODEC.encode(completed)).isNotEmpty();
        assertThat(CODEC.encode(failed)).isNotEmpty();
    }

    @Test
    void aDeploymentAnnouncesNothingUntilTheTargetAnsweredThenExactlyItsOutcome() {
        var deploy = (PromotionDecision.Deploy) policy("dev").decide(build(release(V)), "dev-build-completed",
                FakeLedger.empty(), Optional.empty(), NOW);

        PromotionDecision.Deployed deployed = deploy.completed(
                new DeployResult("0123456789abcdef0123456789abcdef01234567", true, null));
        PromotionDecision.DeployFailed failed = deploy.failed(null, 0, DeploymentFailed.Cause.RELEASE_UNHEALTHY);

        assertThat(deploy.events()).isEmpty();
        assertThat(deployed.events()).containsExactly(deployed.event());
        assertThat(failed.events()).containsExactly(failed.event());
        assertThat(failed.event().data().error()).isEqualTo("the deploy target failed without a message");
        assertThat(failed.event().data().attempts()).isEqualTo(1);
    }

    /** A Wednesday noon, when no freeze of the table's environments holds. */
    static final java.time.Instant NOW = java.time.Instant.parse("2026-12-09T12:00:00Z");

    private static PromotionPolicy policy(String environment) {
        return new PromotionPolicy(ENVIRONMENTS, ENVIRONMENTS.get(environment), "gitops");
    }

    private static CloudEvent<PromotionRequested> build(Release release) {
        return CloudEvent.of(PromotionRequested.build(release, "dev"), "/stagecoach/dev/build-completed", "dev",
                uuid("run-" + release.version()), uuid("build-" + release.version()),
                uuid("request-" + release.version()));
    }

    private static CloudEvent<PromotionRequested> request(Row row, Release release) {
        Verification verifiedIn = row.verifiedIn() == null ? null
                : new Verification(row.verifiedIn(), uuid("pass-" + row.verifiedIn()));
        Approval approval = row.approval() ? new Approval(uuid("approval"), List.of("alice")) : null;
        var data = new PromotionRequested(release, row.environment(), row.reason(), verifiedIn, approval);
        return CloudEvent.of(data, "/stagecoach/test", row.environment(), uuid("run"), uuid("cause"),
                uuid("request-" + row.environment() + row.reason()));
    }

    static String uuid(String name) {
        return EventIds.derive("test", name);
    }
}
