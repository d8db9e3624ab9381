package io.stagecoach.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class BrokerLocatorTests {

    @Test
    void aBrokerThatIsNotThereFailsSayingHowToGetOne() {
        BrokerLocator locator = new BrokerLocator(Map.of(
                "STAGECOACH_TEST_BROKER", "local",
                "STAGECOACH_TEST_RABBIT_PORT", "1")::get);

        assertThatThrownBy(locator::locate)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No RabbitMQ for the integration tests")
                .hasMessageContaining("amqp://127.0.0.1:1")
                .hasMessageContaining("rabbitmq-server -detached")
                .hasMessageContaining("run a Docker engine");
    }

    @Test
    void systemPropertiesWinOverEnvironmentVariables() {
        BrokerLocator locator = new BrokerLocator(Map.of(
                "stagecoach.test.broker", "local",
                "STAGECOACH_TEST_BROKER", "container",
                "stagecoach.test.rabbit.port", "1",
                "STAGECOACH_TEST_RABBIT_PORT", "5672")::get);

        assertThatThrownBy(locator::locate).hasMessageContaining("STAGECOACH_TEST_BROKER=local")
                .hasMessageContaining(":1 ");
    }

    @Test
    void anUnknownModeIsRefused() {
        assertThatThrownBy(new BrokerLocator(Map.of("STAGECOACH_TEST_BROKER", "docker")::get)::locate)
                .hasMessageContaining("use local, container");
    }

    @Test
    void theLocalBrokerIsFoundWithTheDefaults() {
        BrokerLocator locator = new BrokerLocator(Map.of("STAGECOACH_TEST_BROKER", "local")::get);

        BrokerEndpoint endpoint = locator.locate();

        assertThat(endpoint.kind()).isEqualTo("local");
        assertThat(endpoint.managementUrl()).isEqualTo("http://127.0.0.1:15672");
    }
}
