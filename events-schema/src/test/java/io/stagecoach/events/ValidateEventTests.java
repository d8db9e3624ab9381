package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateEventTests {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aValidEventPrintsOkAndExitsZero() throws IOException {
        Path event = write("build.json", ExampleEventsTests.example(EventType.BUILD_COMPLETED));

        int status = run(event.toString());

        assertThat(status).isZero();
        assertThat(out()).isEqualTo(event + ": OK (io.stagecoach.build.completed.v1 3a18d243-3164-5c28-abbf-663d2cd9460a)\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void anInvalidEventPrintsEachProblemAndExitsOne() throws IOException {
        String json = new String(ExampleEventsTests.example(EventType.BUILD_COMPLETED), StandardCharsets.UTF_8)
                .replaceFirst("\"digest\": \"sha256:[0-9a-f]+\"", "\"digest\": \"latest\"")
                .replace("\"environment\": \"dev\",", "");
        Path event = write("build.json", json.getBytes(StandardCharsets.UTF_8));

        int status = run(event.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out()).contains(event + ": environment: required but missing\n")
                .contains(event + ": data.release.digest: does not match pattern ^sha256:[0-9a-f]{64}$ (was 'latest')\n")
                .doesNotContain("OK");
    }

    @Test
    void oneInvalidFileAmongValidOnesFailsTheRun() throws IOException {
        Path good = write("good.json", ExampleEventsTests.example(EventType.ALERT_FIRING));
        Path bad = write("bad.json", "not json".getBytes(StandardCharsets.UTF_8));

        int status = run(good.toString(), bad.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out()).contains(good + ": OK").contains(bad + ": payload is not JSON");
    }

    @Test
    void aFileOverTheLimitIsRefusedWithoutReadingIt() throws IOException {
        Path huge = write("huge.json", new byte[EventCodec.MAX_EVENT_BYTES + 1]);

        int status = run(huge.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out()).isEqualTo(huge + ": payload is 262145 bytes, over the 262144-byte limit\n");
    }

    @Test
    void aDashReadsTheEventFromStandardInput() {
        int status = ValidateEvent.run(new String[] {"-"},
                new ByteArrayInputStream(ExampleEventsTests.example(EventType.ROLLBACK_COMPLETED)),
                new PrintStream(out, true), new PrintStream(err, true));

        assertThat(status).isZero();
        assertThat(out()).startsWith("<stdin>: OK (io.stagecoach.rollback.completed.v1 ");
    }

    @Test
    void noArgumentsIsBadUsage() {
        int status = run();

        assertThat(status).isEqualTo(2);
        assertThat(err()).startsWith("Missing required parameter: 'EVENT.json'")
                .contains("Usage: java -cp stagecoach-events-schema.jar io.stagecoach.events.ValidateEvent");
        assertThat(out()).isEmpty();
    }

    @Test
    void anUnknownOptionIsBadUsage() {
        assertThat(run("--strict", "event.json")).isEqualTo(2);
        assertThat(err()).contains("Unknown option: '--strict'").contains("Usage:");
    }

    @Test
    void helpPrintsTheUsageAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out()).startsWith("Usage: java -cp stagecoach-events-schema.jar io.stagecoach.events.ValidateEvent")
                .contains("- reads standard input", "Exit status:");
        assertThat(err()).isEmpty();
    }

    @Test
    void aMissingFileIsBadUsageNotAnInvalidEvent() {
        Path missing = dir.resolve("missing.json");

        assertThat(run(missing.toString())).isEqualTo(2);
        assertThat(err()).isEqualTo(missing + ": no such file\n");
    }

    private int run(String... args) {
        return ValidateEvent.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
                new PrintStream(err, true));
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
