package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stagecoach stop-line} and {@code restart-line} against a real broker (ADR 38). */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LineCommandTests {

    static Cli cli;
    static Streams streams;

    @BeforeAll
    static void provisioned(TestBroker broker, @TempDir Path workingDirectory) throws Exception {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        streams.append(Events.deployed(Events.release("1.0.0"), "prod", null));
    }

    static List<AuditMessage> line() throws Exception {
        return streams.audit("prod").stream().filter(m -> m.routingKey().startsWith("line.")).toList();
    }

    @Test
    @Order(1)
    void withoutAReasonNothingIsSentAndARestartOfARunningLineIsRefused() throws Exception {
        Cli.Result missing = cli.run("stop-line", "--env", "prod");
        Cli.Result negative = cli.run("stop-line", "--env", "prod", "--for", "0s", "--reason", "x");
        Cli.Result restart = cli.run("restart-line", "--env", "prod", "--reason", "go");

        assertThat(missing.status()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("--reason is required", "recorded in the audit stream");
        assertThat(negative.status()).as(negative.toString()).isEqualTo(2);
        assertThat(negative.err()).contains("--for must be a positive duration");
        assertThat(restart.status()).as(restart.toString()).isEqualTo(1);
        assertThat(restart.err()).contains("the line of prod is not stopped");
        assertThat(line()).isEmpty();
    }

    /** The chat bot's user exists in prod; a stop of the line is refused by the broker and reaches nothing. */
    @Test
    @Order(2)
    void theChatBotCannotStopTheLine() throws Exception {
        String user = cli.prefix() + "-prod-chatops";
        Cli.Result result = cli.with("STAGECOACH_USER", user).with("STAGECOACH_PASSWORD", user + "-local-only")
                .run("stop-line", "--env", "prod", "--reason", "nothing goes in");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("403", "ACCESS_REFUSED");
        assertThat(line()).isEmpty();
    }

    @Test
    @Order(3)
    void theOperatorStopsTheLineStatusShowsItAndARestartEndsIt() throws Exception {
        Instant before = Instant.now();
        Cli.Result stop = cli.run("stop-line", "--env", "prod", "--for", "2h", "--reason", "INC-512: payments degraded");

        assertThat(stop.status()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("line.stopped.prod", "The line of prod is stopped until ");
        List<AuditMessage> messages = line();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).userId()).isEqualTo(cli.prefix() + "-prod-operator");
        CloudEvent<?> stopped = new EventCodec().decode(messages.get(0).body());
        LineStopped data = (LineStopped) stopped.data();
        assertThat(data.stoppedBy()).isEqualTo("carol");
        assertThat(data.reason()).isEqualTo("INC-512: payments degraded");
        assertThat(data.until()).isBetween(before.plus(Duration.ofHours(2)).minusSeconds(1),
                Instant.now().plus(Duration.ofHours(2)));

        Cli.Result status = cli.run("status", "--service", Events.SERVICE);
        assertThat(status.out().lines().filter(l -> l.startsWith("  prod")).findFirst().orElseThrow())
                .contains("until ", "the line stopped by carol: INC-512: payments degraded");
        assertThat(cli.run("audit", "--env", "prod").out()).contains("line stopped by carol until ");

        Cli.Result restart = cli.run("restart-line", "--env", "prod", "--reason", "INC-512 resolved");
        assertThat(restart.status()).as(restart.toString()).isZero();
        assertThat(restart.out()).contains("line.restarted.prod", "The line of prod runs again");
        messages = line();
        assertThat(messages).hasSize(2);
        CloudEvent<?> restarted = new EventCodec().decode(messages.get(1).body());
        assertThat(restarted.data()).isEqualTo(new LineRestarted("prod", "carol", "INC-512 resolved", stopped.id()));
        assertThat(cli.run("status", "--service", Events.SERVICE).out().lines()
                .filter(l -> l.startsWith("  prod")).findFirst().orElseThrow()).endsWith("-");
    }
}
