package io.stagecoach.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar and the launcher, as a shell runs them (after package, under failsafe). */
class StagecoachJarTests {

    static final Path JAR = Path.of(System.getProperty("stagecoach.jar", "target/stagecoach.jar"));
    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;

    record Run(int status, String output, Duration took) {
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.exitValue(), output, Duration.ofNanos(System.nanoTime() - started));
    }

    static List<String> jar(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void theJarRunsOnItsOwnAndStartsQuickly() throws Exception {
        Run help = run(jar("--help"));

        assertThat(help.status()).isZero();
        assertThat(help.output()).contains("Usage: stagecoach", "build", "approve", "demo", "Exit status:");
        assertThat(help.took()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theJarExitsWithTheDocumentedStatuses() throws Exception {
        Run usage = run(jar("rollback", "--env", "prod"));
        Run unreachable = run(jar("status", "--amqp-uri", "amqp://127.0.0.1:1"));

        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.output()).contains("Missing required option: '--service=NAME'");
        assertThat(unreachable.status()).isEqualTo(3);
        assertThat(unreachable.output()).contains("cannot reach RabbitMQ at amqp://127.0.0.1:1", "rabbitmq-server -detached");
    }

    @Test
    void theLauncherRunsTheJarFromTheRepositoryRoot() throws Exception {
        Run version = run(List.of(REPOSITORY.resolve("stagecoach").toString(), "--version"));

        assertThat(version.status()).as(version.output()).isZero();
        assertThat(version.output()).contains("stagecoach ");
    }
}
