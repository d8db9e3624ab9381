package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code build --wait} against a pipeline played by the test: it appends the run's events to the audit streams
 * while the command follows them, as the services would.
 */
@RealBroker
class BuildWaitTests {

    static Cli cli;
    static Streams streams;

    @BeforeAll
    static void provision(TestBroker broker, @TempDir Path workingDirectory) {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
    }

    @Test
    void exitsZeroWhenTheReleaseReachesTheManualGate() throws Exception {
        Release release = Events.release("2.0.0");
        Cli.Running waiting = cli.start(BuildCommandTests.build("2.0.0", "--wait", "--timeout", "1m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting.out().contains("Following run"));

        CloudEvent<?> verified = Events.passed(release, "staging");
        streams.append(Events.promotionRequested(release, "dev"), Events.deployed(release, "dev", null),
                Events.passed(release, "dev"), Events.deployed(release, "staging", null), verified,
                Events.approvalRequested(release, "prod", verified.id()));

        waiting.thread().join(30_000);
        Cli.Result result = waiting.stop();
        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("build.completed", "on its way into dev", "running in dev", "verified in dev",
                "verified in staging", "waiting for approval into prod",
                "waits for approval into prod: request " + Events.requestId(release, "prod"));
    }

    @Test
    void exitsOneWhenTheReleaseIsRolledBack() throws Exception {
        Release release = Events.release("2.1.0-bad");
        Cli.Running waiting = cli.start(BuildCommandTests.build("2.1.0-bad", "--wait", "--timeout", "1m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting.out().contains("Following run"));

        CloudEvent<?> failed = Events.failed(release, "dev");
        streams.append(Events.deployed(release, "dev", null), failed,
                Events.rolledBack(release, Events.release("2.0.0"), "dev", failed.id()));

        waiting.thread().join(30_000);
        Cli.Result result = waiting.stop();
        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("FAILED smoke tests in dev", "Failed: knative-lambda-builder 2.1.0-bad -> 2.0.0 "
                + "ROLLED BACK in dev, 2.0.0 running");
    }

    @Test
    void exitsFourAtOnceWithItsOwnMessageWhenANewerReleaseReplacedIt() throws Exception {
        Release release = Events.release("2.4.0");
        Cli.Running waiting = cli.start(BuildCommandTests.build("2.4.0", "--wait", "--timeout", "1m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting.out().contains("Following run"));

        streams.append(Events.promotionRequested(release, "dev"), Events.deployed(release, "dev", null),
                Events.passed(release, "dev"), Events.deployed(release, "staging", null),
                Events.superseded(release, "staging", "2.4.1"));

        waiting.thread().join(30_000);
        Cli.Result result = waiting.stop();
        assertThat(result.status()).as(result.toString()).isEqualTo(4);
        assertThat(result.out()).contains("SUPERSEDED in staging by 2.4.1",
                "Superseded: knative-lambda-builder 2.4.0 superseded in staging by 2.4.1");
    }

    @Test
    void aRunThatAlreadyEndedIsAnsweredFromTheAuditAtOnce() throws Exception {
        Release release = Events.release("2.2.0");
        streams.append(Events.deployed(release, "prod", null), Events.passed(release, "prod"));

        Cli.Result result = cli.run(BuildCommandTests.build("2.2.0", "--wait", "--timeout", "1m"));

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("knative-lambda-builder 2.2.0 passed the last environment, prod");
    }

    @Test
    void timesOutWithExitOneWhenNothingHappens() {
        Cli.Result result = cli.run(BuildCommandTests.build("2.3.0", "--wait", "--timeout", "2s"));

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("Timed out after 2s", "last seen: knative-lambda-builder 2.3.0 built");
    }
}
