package io.stagecoach.cli;

import java.nio.file.Path;
import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code drift} and the status columns beside RUNNING, read from audit streams that hold a drift, then its end. */
@RealBroker
class DriftCommandTests {

    static final Release DEPLOYED = Events.release("drifting-service", "2.0.0");

    static Cli cli;
    static Streams streams;

    @BeforeAll
    static void aDeployedRelease(TestBroker broker, @TempDir Path workingDirectory) throws Exception {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        streams.append(Events.deployed(DEPLOYED, "staging", null));
    }

    @Test
    void listsAnOpenDriftWithItsThreeSidesAndExitsOneUntilItIsCleared() throws Exception {
        Cli.Result none = cli.run("drift");
        assertThat(none.status()).as(none.toString()).isZero();
        assertThat(none.out()).startsWith("No drift");

        DriftDetected.Side recorded = new DriftDetected.Side("2.0.0", DEPLOYED.digest(), "ledger: deployment x");
        CloudEvent<DriftDetected> detected = Events.event(new DriftDetected("drifting-service", "staging", recorded,
                new DriftDetected.Side("9.9.9", null, "the GitOps overlay at c0ffee"),
                new DriftDetected.Side("9.9.9", null, "workload http://127.0.0.1:9/health"),
                List.of("the GitOps overlay declares 9.9.9, the ledger recorded 2.0.0")), "staging", DEPLOYED,
                "detected");
        streams.append(detected);

        Cli.Result drifting = cli.run("drift");
        assertThat(drifting.status()).as(drifting.toString()).isEqualTo(ExitCodes.PIPELINE);
        List<String> lines = drifting.out().lines().toList();
        assertThat(lines.get(0)).startsWith("staging  drifting-service  drifting for ")
                .endsWith("(drift.detected " + detected.id() + ")");
        assertThat(lines.get(1)).startsWith("    recorded  2.0.0 (sha256:").endsWith("[ledger: deployment x]");
        assertThat(lines.get(2)).isEqualTo("    desired   9.9.9  [the GitOps overlay at c0ffee]");
        assertThat(lines.get(3)).isEqualTo("    running   9.9.9  [workload http://127.0.0.1:9/health]");
        assertThat(lines.get(4)).isEqualTo("    - the GitOps overlay declares 9.9.9, the ledger recorded 2.0.0");
        assertThat(lines).last().asString().startsWith("1 service drifting.");

        Cli.Result dev = cli.run("drift", "--env", "dev");
        assertThat(dev.status()).as(dev.toString()).isZero();
        assertThat(dev.out()).startsWith("No drift: every service runs what dev's ledger recorded");

        Cli.Result status = cli.run("status", "--service", "drifting-service");
        assertThat(status.status()).as(status.toString()).isZero();
        List<String> table = status.out().lines().toList();
        assertThat(table.get(1)).containsSubsequence("ENVIRONMENT", "RUNNING", "DESIRED", "OBSERVED", "VERIFIED HERE");
        assertThat(table.get(3)).containsSubsequence("staging", "2.0.0", "9.9.9 (drift)", "9.9.9 (drift)", "no");

        streams.append(Events.event(new DriftCleared("drifting-service", "staging", recorded, detected.id()),
                "staging", DEPLOYED, "cleared"));
        Cli.Result cleared = cli.run("drift");
        assertThat(cleared.status()).as(cleared.toString()).isZero();
        assertThat(cli.run("status", "--service", "drifting-service").out().lines().toList().get(3))
                .containsSubsequence("staging", "2.0.0", "same", "same", "no");
    }

    @Test
    void anUnknownEnvironmentIsAUsageError() {
        Cli.Result result = cli.run("drift", "--env", "qa");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("qa");
    }
}
