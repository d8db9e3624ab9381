package io.stagecoach.local;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MainArgumentsTests {

    @Test
    void defaultsToTheLocalBrokerTheDefaultEnvironmentsAndFreePorts() {
        MainArguments arguments = MainArguments.parse();

        assertThat(arguments).isEqualTo(new MainArguments(Path.of(".stagecoach/local"), "127.0.0.1", 5672, null,
                null, 0, 4, false));
    }

    @Test
    void readsEveryOptionInBothForms() {
        MainArguments arguments = MainArguments.parse("--workdir", "/w", "--amqp-host=rabbit", "--amqp-port", "5673",
                "--environments", "/e.yaml", "--vhost-prefix=demo", "--base-port", "18080", "--parallelism", "3");

        assertThat(arguments).isEqualTo(new MainArguments(Path.of("/w"), "rabbit", 5673, Path.of("/e.yaml"), "demo",
                18080, 3, false));
        LocalPipelineSettings settings = arguments.settings();
        assertThat(settings.vhostPrefix()).isEqualTo("demo");
        assertThat(settings.logFile()).isEqualTo(Path.of("/w/pipeline.log"));
    }

    @Test
    void namesEveryProblem() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MainArguments.parse("--amqp-port", "amqp", "--colour", "red", "stray",
                        "--parallelism", "0", "--workdir"))
                .withMessageContaining("--amqp-port must be a number, was 'amqp'")
                .withMessageContaining("unknown option --colour")
                .withMessageContaining("unexpected argument 'stray'")
                .withMessageContaining("--parallelism must be between 1 and 64, was 0")
                .withMessageContaining("--workdir needs a value");
    }

    @Test
    void asksOnlyForTheUsageWithHelp() {
        assertThat(MainArguments.parse("--workdir", "/w", "--help").help()).isTrue();
    }
}
