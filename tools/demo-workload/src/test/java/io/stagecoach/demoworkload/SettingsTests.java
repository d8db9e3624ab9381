package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTests {

    @Test
    void readsArgumentsInBothForms() {
        Settings settings = Settings.parse(new String[] {"--port=0", "--environment", "dev", "--service",
                "knative-lambda-builder", "--overlay", "/tmp/k.yaml"}, Map.of());

        assertThat(settings).isEqualTo(new Settings(0, "dev", "knative-lambda-builder", Path.of("/tmp/k.yaml"), null,
                "-bad", null));
    }

    @Test
    void fallsBackToEnvironmentVariablesAndArgumentsWin() {
        Settings settings = Settings.parse(new String[] {"--environment", "staging"}, Map.of(
                "DEMO_PORT", "9090", "DEMO_ENVIRONMENT", "dev", "DEMO_SERVICE", "svc", "DEMO_OVERLAY", "/o.yaml"));

        assertThat(settings).isEqualTo(new Settings(9090, "staging", "svc", Path.of("/o.yaml"), null, "-bad", null));
    }

    @Test
    void defaultsToPort8080() {
        assertThat(Settings.parse(new String[] {"--environment", "dev", "--service", "s", "--overlay", "/o"},
                Map.of()).port()).isEqualTo(8080);
    }

    @Test
    void takesABadMarkerOfItsOwn() {
        Settings settings = Settings.parse(new String[] {"--environment", "dev", "--service", "s", "--overlay", "/o",
                "--bad-marker", "-broken"}, Map.of());

        assertThat(settings.badMarker()).isEqualTo("-broken");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Settings.parse(new String[] {"--environment", "dev", "--service", "s", "--overlay",
                        "/o", "--bad-marker", " "}, Map.of()))
                .withMessageContaining("--bad-marker must not be blank");
    }

    @Test
    void namesEveryProblem() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Settings.parse(new String[] {"--port", "http", "--colour", "red", "stray"}, Map.of()))
                .withMessageContaining("--port must be a number, was 'http'")
                .withMessageContaining("Unknown options: '--colour', 'red', 'stray'")
                .withMessageContaining("--environment (or DEMO_ENVIRONMENT) is required")
                .withMessageContaining("--service (or DEMO_SERVICE) is required")
                .withMessageContaining("--overlay (or DEMO_OVERLAY) is required");
    }

    @Test
    void aMissingValueIsNamed() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Settings.parse(new String[] {"--environment", "dev", "--service", "s", "--overlay"},
                        Map.of()))
                .withMessageContaining("Missing required parameter for option '--overlay'");
    }

    @Test
    void helpAsksForNoSettingsAndListsEveryOptionWithItsVariable() {
        picocli.CommandLine commandLine = Settings.commandLine(Map.of());

        assertThat(Settings.parse(commandLine, new String[] {"--help"})).isNull();
        assertThat(commandLine.getUsageMessage()).startsWith("Usage: java -jar stagecoach-demo-workload.jar")
                .contains("DEMO_PORT", "DEMO_ENVIRONMENT", "DEMO_SERVICE", "DEMO_OVERLAY", "DEMO_OVERLAY_PATH",
                        "DEMO_BAD_MARKER");
    }

    @Test
    void asksForThePathInsideARepository(@TempDir Path repository) throws Exception {
        Files.createDirectories(repository.resolve(".git"));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Settings.parse(new String[] {"--environment", "dev", "--service", "s", "--overlay",
                        repository.toString()}, Map.of()))
                .withMessageContaining("--overlay-path");
    }
}
