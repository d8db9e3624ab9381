package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateDefinitionsTests {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsThePlanOfTheShippedEnvironmentsWithoutArguments() {
        assertThat(run()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(BrokerDefinitions.plan(Environments.loadDefault()).toJson());
    }

    @Test
    void writesThePlanOfAFileWhereItIsTold(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("rabbitmq/definitions.json");

        assertThat(run("../../deploy/environments.yaml", target.toString())).isZero();

        assertThat(Files.readString(target)).isEqualTo(BrokerDefinitions.plan(Environments.loadDefault()).toJson());
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Wrote the broker definitions of dev -> staging -> prod");
    }

    @Test
    void badArgumentsSayWhatIsWrongAndExitTwo(@TempDir Path dir) throws IOException {
        assertThat(run("--vhost-prefix", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--vhost-prefix'",
                "Usage: GenerateDefinitions");
        err.reset();
        assertThat(run("a.yaml", "b.json", "c")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unmatched argument at index 2: 'c'");
        err.reset();
        Path invalid = Files.writeString(dir.resolve("environments.yaml"), "environments: []\n");
        assertThat(run(invalid.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Invalid environments file " + invalid);
    }

    @Test
    void helpSaysHowToRegenerateTheCommittedFile() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: GenerateDefinitions")
                .contains("-Pgenerate-definitions");
    }

    private int run(String... args) {
        return GenerateDefinitions.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
