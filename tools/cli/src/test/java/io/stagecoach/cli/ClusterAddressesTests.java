package io.stagecoach.cli;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command given a cluster's nodes as comma-separated URIs: the first node is down (a closed port of this
 * machine), the second is the broker, and each connection, the audit stream readers' too, goes to the second.
 */
@RealBroker
class ClusterAddressesTests {

    static Cli cli;
    static String firstNodeDown;
    static String nodes;

    @BeforeAll
    static void provision(TestBroker broker, @TempDir Path workingDirectory) throws IOException {
        Cli single = Cli.against(broker, workingDirectory);
        assertThat(single.run("provision", "--local-only-passwords").status()).isZero();
        firstNodeDown = "amqp://127.0.0.1:" + closedPort();
        nodes = firstNodeDown + ", amqp://" + broker.host() + ":" + broker.amqpPort();
        cli = single.with(AmqpOptions.URI_VARIABLE, nodes);
    }

    @Test
    void aBuildPublishedWithTheFirstNodeDownIsReadBackByAuditAndStatus() {
        Cli.Result build = cli.run(BuildCommandTests.build("7.0.0"));
        assertThat(build.status()).as(build.toString()).isZero();

        Cli.Result audit = cli.run("audit", "--env", "dev", "--service", Events.SERVICE);
        assertThat(audit.status()).as(audit.toString()).isZero();
        assertThat(audit.out()).contains("build.completed", "knative-lambda-builder 7.0.0");

        Cli.Result status = cli.run("status", "--service", Events.SERVICE);
        assertThat(status.status()).as(status.toString()).isZero();
        assertThat(status.out()).contains(Events.SERVICE);
    }

    @Test
    void theFlagTakesTheListToo() {
        Cli.Result result = cli.with(AmqpOptions.URI_VARIABLE, firstNodeDown)
                .run("audit", "--env", "dev", "--amqp-uri", nodes);

        assertThat(result.status()).as(result.toString()).isZero();
    }

    @Test
    void whenNoNodeAnswersTheMessageNamesEveryOneTried() throws IOException {
        String second = "amqp://127.0.0.1:" + closedPort();
        Cli.Result result = cli.with(AmqpOptions.URI_VARIABLE, firstNodeDown + "," + second).run("audit", "--env", "dev");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.BROKER);
        assertThat(result.err()).contains("cannot reach RabbitMQ at " + firstNodeDown + "," + second);
    }

    @Test
    void aMalformedListSaysWhichAddressIsWrongAndHowToWriteIt() {
        Cli.Result noScheme = cli.with(AmqpOptions.URI_VARIABLE, "amqp://rabbit-0:5672,rabbit-1:5672")
                .run("status");
        assertThat(noScheme.status()).as(noScheme.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noScheme.err()).contains("'rabbit-1:5672' has no scheme: write amqp://rabbit-1:5672",
                "STAGECOACH_AMQP_URI", "amqp://rabbit-0:5672,amqp://rabbit-1:5672");

        Cli.Result empty = cli.with(AmqpOptions.URI_VARIABLE, "amqp://rabbit-0:5672,,amqp://rabbit-1:5672")
                .run("audit", "--env", "dev");
        assertThat(empty.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(empty.err()).contains("an address is empty");

        Cli.Result mixed = cli.with(AmqpOptions.URI_VARIABLE, "amqps://rabbit-0,amqp://rabbit-1")
                .run(BuildCommandTests.build("7.0.1"));
        assertThat(mixed.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(mixed.err()).contains("'amqp://rabbit-1' is amqp while the first address is amqps");
    }

    /** A port of this machine nothing listens on: connecting to it is refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
