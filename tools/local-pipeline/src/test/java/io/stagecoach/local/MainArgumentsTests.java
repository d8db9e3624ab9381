package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MainArgumentsTests {

    @Test
    void defaultsToTheLocalBrokerTheDefaultEnvironmentsAndFreePorts() {
        MainArguments arguments = MainArguments.parse();

        assertThat(arguments).isEqualTo(new MainArguments(Path.of(".stagecoach/local"), "127.0.0.1", 5672, false,
                null, List.of(), null, null, 0, LocalPipelineSettings.DEFAULT_PARALLELISM, Map.of(), Map.of(), null, null,
                1, false));
        assertThat(arguments.settings().image("knative-lambda-builder"))
                .isEqualTo("ghcr.io/acme/knative-lambda-builder");
    }

    @Test
    void aClusterIsEveryNodeTriedInOrder() {
        LocalPipelineSettings settings = MainArguments.parse("--amqp-addresses", "rabbit-0:5672, rabbit-1:5673")
                .settings();

        assertThat(settings.amqpAddresses()).containsExactly("rabbit-0:5672", "rabbit-1:5673");
        assertThat(settings.amqpHost()).isEqualTo("rabbit-0");
        assertThatIllegalArgumentException().isThrownBy(() -> MainArguments.parse("--amqp-addresses", "rabbit-0,"))
                .withMessage("--amqp-addresses must be host:port, comma-separated, was 'rabbit-0,'");
    }

    @Test
    void readsEveryOptionInBothForms() {
        MainArguments arguments = MainArguments.parse("--workdir", "/w", "--amqp-host=rabbit", "--amqp-port", "5673",
                "--amqp-tls", "--environments", "/e.yaml", "--vhost-prefix=demo", "--env", "staging, prod",
                "--base-port", "18080", "--parallelism", "3", "--image", "klb=registry.local/klb",
                "--image=api=registry.local/api", "--bad-marker", "dev=-bad-in-dev", "--smoke-deadline", "6s",
                "--log", "/w/logs/pipeline.log", "--replicas", "2");

        assertThat(arguments).isEqualTo(new MainArguments(Path.of("/w"), "rabbit", 5673, true, null,
                List.of("staging", "prod"), Path.of("/e.yaml"), "demo", 18080, 3,
                Map.of("klb", "registry.local/klb", "api", "registry.local/api"), Map.of("dev", "-bad-in-dev"),
                Duration.ofSeconds(6), Path.of("/w/logs/pipeline.log"), 2, false));
        LocalPipelineSettings settings = arguments.settings();
        assertThat(settings.vhostPrefix()).isEqualTo("demo");
        assertThat(settings.environmentNames()).containsExactly("staging", "prod");
        assertThat(settings.image("api")).isEqualTo("registry.local/api");
        assertThat(settings.badMarker("dev")).isEqualTo("-bad-in-dev");
        assertThat(settings.badMarker("staging")).isEqualTo("-bad");
        assertThat(settings.smokeDeadline()).isEqualTo(Duration.ofSeconds(6));
        assertThat(settings.logFile()).isEqualTo(Path.of("/w/logs/pipeline.log"));
        assertThat(settings.replicas()).isEqualTo(2);
        assertThat(MainArguments.parse("--workdir", "/w").settings().logFile()).isEqualTo(Path.of("/w/pipeline.log"));
    }

    @Test
    void namesEveryProblem() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MainArguments.parse("--amqp-port", "amqp", "--colour", "red", "stray",
                        "--parallelism", "0", "--image", "klb", "--smoke-deadline", "soon", "--workdir"))
                .withMessageContaining("--amqp-port must be a number, was 'amqp'")
                .withMessageContaining("Unknown options: '--colour', 'red', 'stray'")
                .withMessageContaining("--parallelism must be between 1 and 64, was 0")
                .withMessageContaining("--image must be NAME=VALUE, was 'klb'")
                .withMessageContaining("--smoke-deadline must be a duration such as 30s or 2m, was 'soon'")
                .withMessageContaining("Missing required parameter for option '--workdir' (DIR)");
    }

    @Test
    void asksOnlyForTheUsageWithHelp() {
        assertThat(MainArguments.parse("--workdir", "/w", "--help").help()).isTrue();
        assertThat(MainArguments.usage()).startsWith("Usage: java -jar stagecoach-local-pipeline-exec.jar")
                .contains("--smoke-deadline", "--bad-marker=ENV=TEXT", "stagecoach provision");
    }
}
