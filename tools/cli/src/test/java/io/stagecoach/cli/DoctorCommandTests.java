package io.stagecoach.cli;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stagecoach doctor} against the real broker: all well after provisioning, and a stopped hand-off named. */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoctorCommandTests {

    static Cli cli;
    static TestBroker broker;

    @BeforeAll
    static void provision(TestBroker testBroker, @TempDir Path workingDirectory) {
        broker = testBroker;
        cli = Cli.against(testBroker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
    }

    @Test
    @Order(1)
    void aProvisionedPipelineOnAHealthyBrokerIsOkOnEveryLine() {
        Cli.Result result = cli.run("doctor");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("broker +ok +RabbitMQ 3\\.\\d+")
                .contains("plugins       ok      rabbitmq_management, rabbitmq_stream, rabbitmq_shovel")
                .contains("alarms        ok      no memory or disk alarm")
                .containsPattern("file handles +ok +\\d+ quorum queues reserve \\d+ of the open-file limit of \\d+, "
                        + "which leaves room for about \\d+; about \\d+ more environments of 20 quorum queues fit")
                .contains("definitions   ok      the broker holds the plan of dev, staging, prod")
                .contains("shovels       ok      the 2 hand-off shovels run")
                .contains("dead letters  ok      none waiting")
                .contains("Everything checked is ok.");
    }

    @Test
    @Order(2)
    void aHandOffShovelThatIsGoneIsNamedWithTheFix() {
        String vhost = cli.prefix() + "-dev";
        broker.management().delete("/api/parameters/shovel/" + io.stagecoach.testing.ManagementApi.encode(vhost) + "/"
                + io.stagecoach.testing.ManagementApi.encode(BrokerNames.handoffShovel("staging")));

        Cli.Result result = cli.run("doctor");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.PIPELINE);
        assertThat(result.out()).contains("shovels       NOT OK  not running: stagecoach-handoff-to-staging in "
                + vhost + " — fix: stagecoach provision")
                .contains("definitions   NOT OK")
                .contains("2 checks not ok: see the lines above for what to fix.");

        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> cli.run("doctor").status() == 0);
    }
}
