package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RealBroker
class RollbackCommandTests {

    static Cli cli;
    static Streams streams;
    static final Release GOOD = Events.release("1.0.0");
    static final Release NEW = Events.release("1.1.0");

    @BeforeAll
    static void twoReleasesInStaging(TestBroker broker, @TempDir Path workingDirectory) throws Exception {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        streams.append(Events.deployed(GOOD, "staging", null), Events.passed(GOOD, "staging"),
                Events.deployed(NEW, "staging", "1.0.0"));
    }

    static List<AuditMessage> requests() throws Exception {
        return streams.audit("staging").stream().filter(m -> m.routingKey().equals("rollback.requested.staging")).toList();
    }

    @Test
    void publishesARollbackRequestAsTheOperatorInTheRunOfWhatRuns() throws Exception {
        Cli.Result result = cli.run("rollback", "--env", "staging", "--service", Events.SERVICE, "--to", "1.0.0",
                "--reason", "INC-42: 5xx after 1.1.0");

        assertThat(result.status()).as(result.toString()).isZero();
        List<AuditMessage> requests = requests();
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).userId()).isEqualTo(cli.prefix() + "-staging-operator");
        CloudEvent<?> event = new EventCodec().decode(requests.get(0).body());
        assertThat(event.data()).isEqualTo(new RollbackRequested("staging", Events.SERVICE, "1.0.0", "carol",
                "INC-42: 5xx after 1.1.0"));
        assertThat(event.correlationid()).isEqualTo(Events.run(NEW));
        assertThat(result.out()).contains("roll knative-lambda-builder 1.1.0 back to 1.0.0");
    }

    @Test
    void aVersionNeverVerifiedThereIsRefusedBeforeAnythingIsSent() throws Exception {
        int before = requests().size();

        Cli.Result result = cli.run("rollback", "--env", "staging", "--service", Events.SERVICE, "--to", "0.9.0");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("0.9.0 was never verified in staging", "verified there: 1.0.0");
        assertThat(requests()).hasSize(before);
    }

    @Test
    void aServiceThatRunsNowhereHasNothingToRollBack() {
        Cli.Result result = cli.run("rollback", "--env", "prod", "--service", Events.SERVICE);

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("Nothing of knative-lambda-builder runs in prod");
    }
}
