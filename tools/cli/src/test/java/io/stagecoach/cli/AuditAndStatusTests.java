package io.stagecoach.cli;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One release verified everywhere but prod, waiting there; a bad one rolled back in staging; then read back. */
@RealBroker
class AuditAndStatusTests {

    static final Release GOOD = Events.release("1.0.0");
    static final Release BAD = Events.release("1.1.0-bad");
    static final Release STOPPED = Events.release("stopped-service", "3.0.0");

    static Cli cli;
    static Streams streams;
    static CloudEvent<SmokeTestFailed> badFailed;
    static String requestId;
    static String prefix;

    @BeforeAll
    static void aRunAndARollback(TestBroker broker, @TempDir Path workingDirectory) throws Exception {
        prefix = broker.prefix();
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        streams.append(Events.promotionRequested(GOOD, "dev").withTime(twoHoursAgo),
                Events.deployed(GOOD, "dev", null), Events.passed(GOOD, "dev"),
                Events.deployed(GOOD, "staging", null), Events.passed(GOOD, "staging"));
        CloudEvent<ApprovalRequested> request = Events.approvalRequested(GOOD, "prod",
                Events.passed(GOOD, "staging").id());
        requestId = Events.requestId(GOOD, "prod");
        // prod received it three hours ago, whatever the request (stamped just now by staging) says
        streams.append(request, Events.opened(request, Instant.now().minus(Duration.ofHours(3))));
        badFailed = Events.failed(BAD, "staging");
        streams.append(Events.deployed(BAD, "dev", "1.0.0"), Events.passed(BAD, "dev"),
                Events.deployed(BAD, "staging", "1.0.0"), badFailed,
                Events.rolledBack(BAD, GOOD, "staging", badFailed.id()));
        streams.append(Events.superseded(STOPPED, "dev", "3.0.1"), Events.withdrawnBlock(STOPPED, "staging", "dev"));
    }

    @Test
    void auditPrintsOneLinePerEventWithTimeTypeReleaseWhoWhyAndRun() {
        Cli.Result result = cli.run("audit", "--env", "staging", "--service", Events.SERVICE);

        assertThat(result.status()).as(result.toString()).isZero();
        List<String> lines = result.out().lines().toList();
        // staging's stream also keeps the approval request it handed to prod
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  deployment\\.completed .*")
                .contains("knative-lambda-builder 1.0.0", "by " + prefix + "-staging-promotion", "revision rev100", "run " + Events.run(GOOD).substring(0, 8));
        assertThat(lines.get(2)).contains("approval.requested", "by " + prefix + "-staging-promotion");
        assertThat(lines.get(4)).contains("smoketest.failed", "knative-lambda-builder 1.1.0-bad",
                "FAILED: health answered 503 (health)", "run " + Events.run(BAD).substring(0, 8));
        assertThat(lines.get(5)).contains("rollback.completed", "knative-lambda-builder 1.1.0-bad -> 1.0.0",
                "after smoketest.failed");
    }

    @Test
    void auditFiltersByServiceAndTime() {
        assertThat(cli.run("audit", "--env", "staging", "--service", "another-service").out()).isEmpty();
        Cli.Result recent = cli.run("audit", "--env", "dev", "--since", "1h", "--service", Events.SERVICE);
        assertThat(recent.out().lines().toList()).hasSize(4).noneMatch(l -> l.contains("promotion.requested"));
        Cli.Result all = cli.run("audit", "--env", "dev", "--since", "3h", "--service", Events.SERVICE);
        assertThat(all.out().lines().toList()).hasSize(5).anyMatch(l -> l.contains("promotion.requested"));
    }

    @Test
    void auditFollowPrintsNewEventsAsTheyArriveUntilInterrupted() throws Exception {
        Cli.Running following = cli.start("audit", "--env", "prod", "--follow");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> following.out().contains("approval.opened"));
        Release next = new Release("follow-service", "1.2.0", "ghcr.io/acme/follow-service", Events.digest("1.2.0"),
                Events.COMMIT, "jane");

        streams.append(Events.deployed(next, "prod", null));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> following.out().contains("deployment.completed"));
        Cli.Result result = following.stop();
        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out().lines().toList()).hasSize(3).last().asString()
                .contains("follow-service 1.2.0");
    }

    @Test
    void statusShowsPerEnvironmentWhatRunsWhetherItIsVerifiedWhatWaitsAndWhatFailed() {
        Cli.Result result = cli.run("status");

        assertThat(result.status()).as(result.toString()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("knative-lambda-builder");
        assertThat(lines.get(1)).containsSubsequence("ENVIRONMENT", "RUNNING", "VERIFIED HERE", "PENDING APPROVALS",
                "LAST FAILURE");
        assertThat(lines.get(2)).containsSubsequence("dev", "1.1.0-bad", "yes", "-", "-");
        assertThat(lines.get(3)).containsSubsequence("staging", "1.0.0 (rolled back)", "yes", "-",
                "smoketest.failed 1.1.0-bad", "ago: health answered 503");
        assertThat(lines.get(4)).containsSubsequence("prod", "-", "-", "1.0.0 waiting 3h",
                "(request " + requestId + ")", "-");
    }

    @Test
    void statusShowsAReleaseThatWentNoFurtherWithoutFailingApartFromTheFailures() {
        Cli.Result result = cli.run("status", "--service", "stopped-service");

        assertThat(result.status()).as(result.toString()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(1)).containsSubsequence("LAST FAILURE", "LAST STOPPED");
        assertThat(lines.get(2)).containsSubsequence("dev", "-", "-", "-", "-", "3.0.0 superseded by 3.0.1",
                "ago");
        assertThat(lines.get(3)).containsSubsequence("staging", "-", "3.0.0 withdrawn", "ago: 3.0.0 may no longer "
                + "enter staging: dev withdrew it");
        assertThat(lines.get(4)).containsSubsequence("prod", "-", "-", "-", "-", "-");
    }

    @Test
    void statusForOneServiceOnly() {
        Cli.Result result = cli.run("status", "--service", "another-service");

        assertThat(result.status()).isZero();
        assertThat(result.out().lines().toList()).hasSize(5).first().isEqualTo("another-service");
        assertThat(result.out()).doesNotContain("1.0.0");
    }

    @Test
    void watchPrintsNewEventsOfEveryEnvironmentWithWhereTheReleaseStands() throws Exception {
        CompletableFuture<Cli.Result> watching = CompletableFuture.supplyAsync(() -> cli.run("watch", "--count", "2",
                "--service", "watch-service"));
        Release next = new Release("watch-service", "1.3.0", "ghcr.io/acme/watch-service", Events.digest("1.3.0"),
                Events.COMMIT, "jane");
        // the subscriptions start from "next": give them a moment to attach, then publish until two lines came
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    streams.append(Events.event(new DeploymentCompleted(next, "dev", "gitops",
                            "r" + System.nanoTime(), null, false), "dev", next, String.valueOf(System.nanoTime())));
                    return watching.isDone();
                });

        Cli.Result result = watching.get(5, TimeUnit.SECONDS);
        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out().lines().toList()).hasSize(2).allMatch(l -> l.contains("dev")
                && l.contains("deployment.completed") && l.contains("watch-service 1.3.0")
                && l.contains("running in dev, smoke tests next") && l.contains("by " + prefix + "-dev-promotion"));
    }

    @Test
    void auditShowsARecordThatDoesNotCountAsRefusedAndStatusIgnoresIt() throws Exception {
        // the chat bot's credential puts a granted approval under the one key it may publish
        String chatops = prefix + "-prod-chatops";
        streams.appendAs("prod", chatops, "approval.decided.prod", Events.granted(GOOD, "prod"));

        Cli.Result audit = cli.run("audit", "--env", "prod");

        assertThat(audit.status()).as(audit.toString()).isZero();
        assertThat(audit.out().lines()).anySatisfy(line -> assertThat(line).contains("approval.granted",
                "by " + chatops, "REFUSED wrong-routing-key (routing key approval.decided.prod)"));
        assertThat(cli.run("status").out().lines()).anySatisfy(line -> assertThat(line)
                .containsSubsequence("prod", "1.0.0 waiting", "(request " + requestId + ")"));
    }
}
