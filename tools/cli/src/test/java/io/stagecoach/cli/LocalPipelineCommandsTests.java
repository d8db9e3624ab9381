package io.stagecoach.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code up}, {@code down} and the pipeline's command line, without a broker: what runs already, what is stale,
 * which environments are meant.
 */
class LocalPipelineCommandsTests {

    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;

    @TempDir
    Path home;

    final List<Process> started = new ArrayList<>();

    Cli cli() {
        Map<String, String> env = new java.util.HashMap<>(UsageTests.NO_BROKER);
        env.put(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString());
        return new Cli(env, REPOSITORY);
    }

    /** A process that runs until stopped, marked as one Stagecoach started. */
    Process ours() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                PipelineProcess.MARKER, "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()).start();
        started.add(process);
        return process;
    }

    @AfterEach
    void stopWhatWasStarted() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void theSecondUpInAHomeSaysThePipelineAlreadyRunsAndExitsOneStartingNothing() throws Exception {
        Process running = ours();
        Files.createDirectories(home.resolve("run"));
        Files.writeString(home.resolve("run/pipeline.pid"), running.pid() + "\n");

        Cli.Result result = cli().run("up", "--home", home.toString(), "--no-build");

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("Stagecoach already runs in " + home + " (pid " + running.pid(),
                "Stop it first with `stagecoach down`");
        assertThat(home.resolve("logs")).doesNotExist();
        assertThat(running.isAlive()).isTrue();
    }

    @Test
    void anEnvironmentThePathDoesNotHaveIsAUsageErrorNamingTheKnownOnes() {
        Cli.Result result = cli().run("up", "--home", home.toString(), "--no-build", "--env", "staging,qa");

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("--env: unknown environment qa;", "dev, staging, prod");
    }

    @Test
    void downStopsWhatUpStartedAndToleratesStalePidFiles() throws Exception {
        Path run = Files.createDirectories(home.resolve("run"));
        Process pipeline = ours();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        started.add(stranger);
        Files.writeString(run.resolve("pipeline.pid"), pipeline.pid() + "\n");
        // an earlier Stagecoach kept a pid file per service
        Files.writeString(run.resolve("dev-rollback.pid"), "999999999\n");
        Files.writeString(run.resolve("dev-smoke-test.pid"), stranger.pid() + "\n");

        Cli.Result result = cli().run("down", "--home", home.toString());

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("stopped pipeline (pid " + pipeline.pid() + ") in ",
                "dev-rollback: process 999999999 is gone; removed its stale pid file",
                "dev-smoke-test: pid " + stranger.pid() + " now belongs to another program, left alone",
                "Stopped 1 process.");
        assertThat(pipeline.isAlive()).isFalse();
        assertThat(stranger.isAlive()).isTrue();
        try (var pidFiles = Files.list(run)) {
            assertThat(pidFiles.toList()).isEmpty();
        }
        assertThat(cli().run("down", "--home", home.toString()).out()).contains("Nothing was running.");
    }

    @Test
    void theCommandLineCarriesTheMarkerTheBrokerThePathAndWhereToWrite() {
        Broker broker = new Broker("amqps://rabbit.example:5671", null, null, Map.of());
        PipelineProcess.Launch launch = new PipelineProcess.Launch(Path.of("/r/pipeline-exec.jar"), broker,
                Path.of("/r/deploy/environments.yaml"), "demo", List.of("staging", "prod"), 28080,
                Map.of("knative-lambda-builder", "registry.local/klb"), Map.of("dev", "-bad-in-dev"),
                Duration.ofSeconds(6));

        List<String> command = launch.command(Path.of("/h"));

        assertThat(command).contains(PipelineProcess.MARKER).containsSubsequence("-jar", "/r/pipeline-exec.jar",
                "--workdir", "/h", "--log", "/h/logs/pipeline.log", "--amqp-host", "rabbit.example", "--amqp-port",
                "5671", "--amqp-tls", "--environments", "/r/deploy/environments.yaml", "--vhost-prefix", "demo",
                "--env", "staging,prod", "--base-port", "28080", "--image",
                "knative-lambda-builder=registry.local/klb", "--bad-marker", "dev=-bad-in-dev", "--smoke-deadline",
                "6000ms");
    }

    @Test
    void aClusterReachesThePipelineAsEveryNodeInOrder() {
        Broker broker = new Broker("amqp://rabbit-0:5672,amqp://rabbit-1:5673,amqp://rabbit-2", null, null, Map.of());
        PipelineProcess.Launch launch = new PipelineProcess.Launch(Path.of("/r/pipeline-exec.jar"), broker, null,
                null, List.of(), 0, Map.of(), Map.of(), Duration.ofSeconds(6));

        assertThat(launch.command(Path.of("/h"))).containsSubsequence("--amqp-host", "rabbit-0", "--amqp-port", "5672",
                "--amqp-addresses", "rabbit-0:5672,rabbit-1:5673,rabbit-2:5672");
        assertThat(new PipelineProcess.Launch(Path.of("/r/pipeline-exec.jar"),
                new Broker("amqp://rabbit-0:5672", null, null, Map.of()), null, null, List.of(), 0, Map.of(), Map.of(),
                Duration.ofSeconds(6)).command(Path.of("/h"))).doesNotContain("--amqp-addresses");
    }

    @Test
    void thePipelineJvmTakesItsOptionsFromTheVariableInsteadOfTheDefaults() {
        assertThat(PipelineProcess.jvmOptions(null)).first().isEqualTo(PipelineProcess.MARKER);
        assertThat(PipelineProcess.jvmOptions(" ")).containsExactly(PipelineProcess.MARKER, "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xshare:auto");
        assertThat(PipelineProcess.jvmOptions(" -XX:+UseSerialGC  -Xmx512m "))
                .containsExactly(PipelineProcess.MARKER, "-XX:+UseSerialGC", "-Xmx512m");
    }

    @Test
    void showsALineForEachEnvironmentOnceItIsReadyAndNotForItsServices() {
        Set<String> environments = Set.of("dev", "staging", "prod");

        assertThat(PipelineProcess.environmentReady("dev                      ready in 6.1s  4 services, 1 workload",
                environments)).isTrue();
        assertThat(PipelineProcess.environmentReady("dev promotion            ready in 3.9s  http://127.0.0.1:1",
                environments)).isFalse();
        assertThat(PipelineProcess.environmentReady("pipeline ready in 8.9s: /h/pipeline.json", environments))
                .isFalse();
        assertThat(PipelineProcess.environmentReady("ready                    11 services and 3 workloads in 8.9s",
                environments)).isFalse();
    }

    @Test
    void theServicesDoNotInheritAnotherIdentityFromTheCallersVariables() {
        Map<String, String> child = PipelineProcess.childEnvironment(Map.of("STAGECOACH_USER", "dev-ci",
                "STAGECOACH_VHOST_PREFIX", "other", "STAGECOACH_PASSWORD_DEV_PROMOTION", "secret", "PATH", "/bin"));

        assertThat(child).containsOnlyKeys("STAGECOACH_PASSWORD_DEV_PROMOTION", "PATH");
    }

    /** Runs until stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(120_000);
        }
    }
}
