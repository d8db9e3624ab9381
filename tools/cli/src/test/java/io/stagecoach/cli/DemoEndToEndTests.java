package io.stagecoach.cli;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's main command, end to end: the one-JVM pipeline as one background process, the real broker, a real
 * GitOps repository. Runs after {@code package} (failsafe); builds the pipeline's jar first when it is missing or
 * stale, outside the timed part.
 */
@RealBroker
class DemoEndToEndTests {

    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;
    static final Duration BUDGET = Duration.ofMinutes(3);

    @Test
    void theDemoSendsOneReleaseToProdAndRollsTheBadOneBackWithinThreeMinutes(TestBroker broker, @TempDir Path home)
            throws Exception {
        LocalPipelineJar.current(home.resolve("build.log"));
        Cli cli = Cli.against(broker, REPOSITORY).with(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString());

        long started = System.nanoTime();
        Cli.Result result = cli.run("demo", "--home", home.toString(), "--vhost-prefix", broker.prefix(),
                "--no-build");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("demo took " + took.toSeconds() + " s\n" + result.out());

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(took).isLessThan(BUDGET);
        String out = result.out();
        assertThat(out).containsPattern("(?m)^  dev +ready in [0-9.]+s  4 services, 1 workload$")
                .containsPattern("(?m)^  prod +ready in [0-9.]+s  4 services, 1 workload$")
                .contains("Stagecoach is up in", "11 services and 3 workloads in one process");
        assertThat(out).containsSubsequence("waits for approval into prod", "approval.granted",
                "knative-lambda-builder 1.0.0 passed the last environment, prod", "1.1.0-bad", "smoketest.failed",
                "rollback.completed", "ROLLED BACK", "Where every release stands now", "Where to look next:",
                "http://127.0.0.1:15672", "gitops.git", "./stagecoach audit --env prod",
                "Stopping the pipeline the demo started (pid", "stopped in");
        List<String> table = finalStatus(out);
        assertThat(table.get(0)).isEqualTo("knative-lambda-builder");
        assertThat(out).containsSubsequence("smoketest.passed", "verified in dev", "staging", "smoketest.failed",
                "ROLLED BACK in staging");
        assertThat(table.get(2)).containsSubsequence("dev", "1.1.0-bad", "yes", "-", "-");
        assertThat(table.get(3)).containsSubsequence("staging", "1.0.0 (rolled back)", "yes", "-",
                "smoketest.failed 1.1.0-bad");
        assertThat(table.get(4)).containsSubsequence("prod", "1.0.0", "yes", "-", "-");
        PipelineProcess demo = new PipelineProcess(home.resolve("demo"));
        assertThat(demo.running()).isEmpty();
        assertThat(demo.description()).doesNotExist();
        try (var pidFiles = Files.list(home.resolve("demo").resolve("run"))) {
            assertThat(pidFiles.toList()).isEmpty();
        }
    }

    /** The status table the demo ends with: the service line, the header and one line per environment. */
    static List<String> finalStatus(String out) {
        String last = out.substring(out.lastIndexOf("$ stagecoach status"));
        return last.lines().skip(1).limit(5).toList();
    }
}
