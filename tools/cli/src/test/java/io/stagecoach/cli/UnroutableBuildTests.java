package io.stagecoach.cli;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A broker whose first environment lost its bindings: no queue takes a build, and the command says so. */
@RealBroker
class UnroutableBuildTests {

    @Test
    void aBuildNoQueueTakesExitsOne(TestBroker broker, @TempDir Path workingDirectory) {
        Cli cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        String vhost = ManagementApi.encode(broker.prefix() + "-dev");
        String exchange = ManagementApi.encode(BrokerNames.EVENTS_EXCHANGE);
        broker.management().delete("/api/bindings/" + vhost + "/e/" + exchange + "/q/"
                + ManagementApi.encode(BrokerNames.AUDIT_STREAM) + "/" + ManagementApi.encode("#"));
        broker.management().delete("/api/bindings/" + vhost + "/e/" + exchange + "/q/"
                + ManagementApi.encode("build-completed.build-completed") + "/" + ManagementApi.encode("build.completed.dev"));

        Cli.Result result = cli.run(BuildCommandTests.build("1.0.0"));

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("No queue took build.completed.dev", "312 NO_ROUTE", "nothing was delivered",
                "stagecoach provision");
    }
}
