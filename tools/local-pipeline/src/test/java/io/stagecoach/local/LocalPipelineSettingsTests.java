package io.stagecoach.local;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalPipelineSettingsTests {

    @Test
    void everyNodeOfAClusterIsKeptInOrderAndTheFirstIsAlsoTheHost() {
        LocalPipelineSettings settings = LocalPipelineSettings.builder(Path.of("w"))
                .amqpAddresses("rabbit-0:5672, rabbit-1:5673,rabbit-2:5674").build();

        assertThat(settings.amqpAddresses()).containsExactly("rabbit-0:5672", "rabbit-1:5673", "rabbit-2:5674");
        assertThat(settings.amqpHost()).isEqualTo("rabbit-0");
        assertThat(settings.amqpPort()).isEqualTo(5672);
        assertThat(settings.describeBroker()).isEqualTo("rabbit-0:5672,rabbit-1:5673,rabbit-2:5674");
    }

    @Test
    void oneAddressIsJustTheHostAndPort() {
        LocalPipelineSettings settings = LocalPipelineSettings.builder(Path.of("w")).amqpAddresses("10.0.0.7:5681")
                .build();

        assertThat(settings.amqpAddresses()).isEmpty();
        assertThat(settings.describeBroker()).isEqualTo("10.0.0.7:5681");
    }

    @Test
    void anAddressWithoutAPortIsRefused() {
        assertThatThrownBy(() -> LocalPipelineSettings.builder(Path.of("w")).amqpAddresses("a:5672,b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port, was 'b'");
    }
}
