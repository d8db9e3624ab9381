package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the packaged validator jar the way a CI job does, in its own JVM with nothing else on the classpath.
 * Runs under failsafe, after package.
 */
class ValidateEventJarTests {

    @TempDir
    Path dir;

    @Test
    void theJarValidatesAnEventFileOnItsOwn() throws Exception {
        Path event = Files.write(dir.resolve("event.json"), ExampleEventsTests.example(EventType.SMOKETEST_FAILED));

        Result result = validate(event.toString());

        assertThat(result.status).isZero();
        assertThat(result.out).isEqualTo(event + ": OK (io.stagecoach.smoketest.failed.v1 "
                + "9b0e5769-85f7-5bc7-8ad9-32c19ef7bd27)\n");
        assertThat(result.err).as("nothing but the verdict, no logging noise").isEmpty();
    }

    @Test
    void theJarRefusesAnInvalidEventFileNamingTheProblem() throws Exception {
        Path event = Files.writeString(dir.resolve("event.json"),
                new String(ExampleEventsTests.example(EventType.BUILD_COMPLETED), StandardCharsets.UTF_8)
                        .replace("io.stagecoach.build.completed.v1", "io.stagecoach.nope.v1"));

        Result result = validate(event.toString());

        assertThat(result.status).isEqualTo(1);
        assertThat(result.out).startsWith(event + ": type 'io.stagecoach.nope.v1' is not a known event type (known: ");
    }

    @Test
    void theJarPrintsItsUsageWithoutArguments() throws Exception {
        Result result = validate();

        assertThat(result.status).isEqualTo(2);
        assertThat(result.err).startsWith("Missing required parameter: 'EVENT.json'").contains("Usage: java -cp ");
    }

    private static Result validate(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("validator.jar");
        assertThat(jar).as("system property validator.jar (set by the build)").isNotNull();
        assertThat(Path.of(jar)).exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar, "io.stagecoach.events.ValidateEvent"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("validator finished within 60 s").isTrue();
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int status, String out, String err) {
    }
}
