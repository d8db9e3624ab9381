package io.stagecoach.cli;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's main command, end to end: every service of every environment as its own process, the real broker,
 * a real GitOps repository. Runs after {@code package} (failsafe); builds the service jars first when they are
 * missing, outside the timed part.
 */
@RealBroker
class DemoEndToEndTests {

    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;
    static final Duration BUDGET = Duration.ofMinutes(3);

    @Test
    void theDemoSendsOneReleaseToProdAndRollsTheBadOneBackWithinThreeMinutes(TestBroker broker, @TempDir Path home)
            throws Exception {
        ServiceJars jars = new ServiceJars(REPOSITORY);
        List<String> modules = new java.util.ArrayList<>(LocalPipeline.SERVICES);
        modules.add(LocalPipeline.WORKLOAD);
        List<String> stale = jars.stale(modules);
        if (!stale.isEmpty()) {
            jars.build(stale, home.resolve("build.log"), new PrintWriter(System.out, true));
        }
        Cli cli = Cli.against(broker, REPOSITORY).with(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString());

        long started = System.nanoTime();
        Cli.Result result = cli.run("demo", "--home", home.toString(), "--vhost-prefix", broker.prefix(),
                "--base-port", "29080", "--no-build");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("demo took " + took.toSeconds() + " s\n" + result.out());

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(took).isLessThan(BUDGET);
        String out = result.out();
        assertThat(out).containsSubsequence("waits for approval into prod", "approval.granted",
                "knative-lambda-builder 1.0.0 passed the last environment, prod", "1.1.0-bad", "smoketest.failed",
                "rollback.completed", "ROLLED BACK", "Where every release stands now", "Where to look next:",
                "http://127.0.0.1:15672", "gitops.git", "./stagecoach audit --env prod",
                "Stopping the 14 processes the demo started");
        List<String> table = finalStatus(out);
        assertThat(table.get(0)).isEqualTo("knative-lambda-builder");
        assertThat(out).containsSubsequence("smoketest.passed", "verified in dev", "staging", "smoketest.failed",
                "ROLLED BACK in staging");
        assertThat(table.get(2)).containsSubsequence("dev", "1.1.0-bad", "yes", "-", "-");
        assertThat(table.get(3)).containsSubsequence("staging", "1.0.0 (rolled back)", "yes", "-",
                "smoketest.failed 1.1.0-bad");
        assertThat(table.get(4)).containsSubsequence("prod", "1.0.0", "yes", "-", "-");
        assertThat(new LocalProcesses(home.resolve("demo")).running()).isEmpty();
        try (var pidFiles = Files.list(home.resolve("demo").resolve("run"))) {
            assertThat(pidFiles.toList()).isEmpty();
        }
    }

    /** The status table the demo ends with: the service line, the header and one line per environment. */
    static List<String> finalStatus(String out) {
        String last = out.substring(out.lastIndexOf("$ stagecoach status"));
        return last.lines().skip(1).limit(5).toList();
    }

    @Test
    void downStopsWhatUpStartedAndToleratesStalePidFiles(@TempDir Path home) throws Exception {
        Path run = Files.createDirectories(home.resolve("run"));
        Process ours = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                LocalProcesses.MARKER, "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()).start();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        Files.writeString(run.resolve("dev-promotion.pid"), ours.pid() + "\n");
        Files.writeString(run.resolve("dev-rollback.pid"), "999999999\n");
        Files.writeString(run.resolve("dev-smoke-test.pid"), stranger.pid() + "\n");
        StringWriter out = new StringWriter();

        int status = Stagecoach.execute(new CliContext(Map.of(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString()),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), REPOSITORY), "down",
                "--home", home.toString());

        assertThat(status).isZero();
        assertThat(out.toString()).contains("stopped dev-promotion (pid " + ours.pid(),
                "dev-rollback: process 999999999 is gone; removed its stale pid file",
                "dev-smoke-test: pid " + stranger.pid() + " now belongs to another program, left alone",
                "Stopped 1 process.");
        assertThat(ours.isAlive()).isFalse();
        assertThat(stranger.isAlive()).isTrue();
        stranger.destroy();
        try (var pidFiles = Files.list(run)) {
            assertThat(pidFiles.toList()).isEmpty();
        }
    }

    /** A process that runs until stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(120_000);
        }
    }
}
