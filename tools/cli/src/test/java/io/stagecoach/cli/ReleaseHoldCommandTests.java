package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.Release;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stagecoach release-hold} against a real broker, with a release dev rolled back from. */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseHoldCommandTests {

    static Cli cli;
    static Streams streams;
    static final Release GOOD = Events.release("1.0.0");
    static final Release BAD = Events.release("1.1.0");

    @BeforeAll
    static void aReleaseHeldInDev(TestBroker broker, @TempDir Path workingDirectory) throws Exception {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        streams.append(Events.deployed(GOOD, "dev", null), Events.passed(GOOD, "dev"),
                Events.deployed(BAD, "dev", "1.0.0"), Events.failed(BAD, "dev"),
                Events.rolledBack(BAD, GOOD, "dev", Events.failed(BAD, "dev").id()));
    }

    static List<AuditMessage> lifts() throws Exception {
        return streams.audit("dev").stream().filter(m -> m.routingKey().equals("hold.released.dev")).toList();
    }

    @Test
    @Order(1)
    void statusShowsTheHeldRelease() {
        Cli.Result result = cli.run("status", "--service", Events.SERVICE);

        assertThat(result.status()).as(result.toString()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(1)).contains("HELD").endsWith("FROZEN");
        assertThat(lines.get(2)).startsWith("  dev").contains("1.1.0").endsWith("-");
        assertThat(lines.get(3)).startsWith("  staging").endsWith("-");
    }

    @Test
    @Order(2)
    void aLiftWithoutAReasonIsAUsageErrorAndSendsNothing() throws Exception {
        Cli.Result missing = cli.run("release-hold", "--env", "dev", "--service", Events.SERVICE, "--version", "1.1.0");
        Cli.Result blank = cli.run("release-hold", "--env", "dev", "--service", Events.SERVICE, "--version", "1.1.0",
                "--reason", "  ");

        assertThat(missing.status()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("--reason is required", "recorded in the audit stream");
        assertThat(blank.status()).isEqualTo(2);
        assertThat(lifts()).isEmpty();
    }

    @Test
    @Order(3)
    void aReleaseThatIsNotHeldIsRefusedBeforeAnythingIsSent() throws Exception {
        Cli.Result result = cli.run("release-hold", "--env", "dev", "--service", Events.SERVICE, "--version", "1.0.0",
                "--reason", "no reason");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("1.0.0 is not held in dev", "held there: 1.1.0");
        assertThat(lifts()).isEmpty();
    }

    /** Dev's CI user exists and may publish builds; a lift is refused by the broker, and nothing reaches the stream. */
    @Test
    @Order(4)
    void ciCannotLiftAHold() throws Exception {
        String user = cli.prefix() + "-dev-ci";
        Cli.Result result = cli.with("STAGECOACH_USER", user).with("STAGECOACH_PASSWORD", user + "-local-only")
                .run("release-hold", "--env", "dev", "--service", Events.SERVICE, "--version", "1.1.0",
                        "--reason", "let it through");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("403", "ACCESS_REFUSED");
        assertThat(lifts()).isEmpty();
    }

    @Test
    @Order(5)
    void theOperatorLiftsTheHoldWithWhoAndWhyAndStatusNoLongerShowsIt() throws Exception {
        Cli.Result result = cli.run("release-hold", "--env", "dev", "--service", Events.SERVICE, "--version", "1.1.0",
                "--reason", "the smoke test's database was down");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("knative-lambda-builder 1.1.0 is no longer held in dev");
        List<AuditMessage> lifts = lifts();
        assertThat(lifts).hasSize(1);
        assertThat(lifts.get(0).userId()).isEqualTo(cli.prefix() + "-dev-operator");
        CloudEvent<?> event = new EventCodec().decode(lifts.get(0).body());
        assertThat(event.data()).isEqualTo(new HoldReleased(BAD, "dev", "carol", "the smoke test's database was down"));
        assertThat(event.correlationid()).isEqualTo(Events.run(BAD));

        Cli.Result status = cli.run("status", "--service", Events.SERVICE);
        String dev = status.out().lines().toList().get(2);
        List<String> cells = List.of(dev.strip().split("\\s{2,}"));
        assertThat(cells.get(0)).isEqualTo("dev");
        assertThat(cells.get(cells.size() - 2)).as("HELD").isEqualTo("-");
        Cli.Result audit = cli.run("audit", "--env", "dev", "--service", Events.SERVICE);
        assertThat(audit.out()).contains("hold.released", "hold lifted by carol: the smoke test's database was down",
                cli.prefix() + "-dev-operator");
    }
}
