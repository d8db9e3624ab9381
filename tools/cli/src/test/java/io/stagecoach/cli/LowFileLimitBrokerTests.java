package io.stagecoach.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.Connection;
import io.stagecoach.testing.PrivateBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A RabbitMQ node of the test's own started with the common default of 1,024 open files, where five pipelines'
 * quorum queues already take most of the file handle cache: {@code provision} fills what the limit holds, refuses
 * the next pipeline before changing anything (saying how to raise the limit), the broker still completes handshakes
 * afterwards, and {@code doctor} reports the limit. The shared broker is never restarted with another limit.
 */
@ResourceLock(PrivateBroker.LOCK)
class LowFileLimitBrokerTests {

    private static PrivateBroker node;

    @TempDir
    Path workingDirectory;

    @BeforeAll
    static void startANodeWithTheCommonDefaultLimit() {
        node = PrivateBroker.withOpenFileLimit(1024);
    }

    @AfterAll
    static void stopIt() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void provisionFillsWhatTheLimitHoldsAndRefusesThePipelineThatWouldGoPastIt() throws Exception {
        TestBroker broker = node.broker();
        List<Cli.Result> results = new ArrayList<>();
        for (int pipeline = 0; pipeline < 8; pipeline++) {
            Cli.Result result = Cli.against(broker, workingDirectory)
                    .with("STAGECOACH_VHOST_PREFIX", broker.name("p" + pipeline))
                    .run("provision", "--local-only-passwords");
            results.add(result);
            if (result.status() != 0) {
                break;
            }
        }

        // 61 quorum queues a pipeline, three file handles each; 1,024 open files leave room for about 308
        assertThat(results).as("pipelines provisioned, then the refused one").hasSize(6);
        assertThat(results.subList(0, 5)).allSatisfy(result -> assertThat(result.status()).as(result.toString())
                .isZero());
        Cli.Result refused = results.get(5);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("this plan adds 61 quorum queues to the 305 the broker holds",
                "open-file limit of 1024", "Nothing was changed", "65,536", "ulimit -n");
        assertThat(broker.management().get("/api/vhosts/" + broker.name("p5") + "-dev")).as("nothing created")
                .isEmpty();
        try (Connection connection = broker.adminConnectionFactory("/").newConnection()) {
            assertThat(connection.isOpen()).as("a new connection completes its handshake").isTrue();
        }

        Cli.Result doctor = Cli.against(broker, workingDirectory).with("STAGECOACH_VHOST_PREFIX", broker.name("p0"))
                .run("doctor");
        assertThat(doctor.out() + doctor.err()).contains("305 quorum queues reserve 915 of the open-file limit of 1024");
    }
}
