package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmokeTestPropertiesTests {

    @Test
    void bindsChecksPerServiceWithDefaults() {
        SmokeTestProperties properties = bind(Map.of(
                "stagecoach.smoke-test.deadline", "30s",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[0].name", "health",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[0].url", "http://app/health",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[0].json-field", "version",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[1].name", "ready",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[1].url", "http://app/ready",
                "stagecoach.smoke-test.services.knative-lambda-builder.checks[1].timeout", "9s"));

        assertThat(properties.deadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.checksFor("knative-lambda-builder")).containsExactly(
                new SmokeTestProperties.Check("health", "http://app/health", 200, "version", Duration.ofSeconds(5), null),
                new SmokeTestProperties.Check("ready", "http://app/ready", 200, null, Duration.ofSeconds(9), null));
        assertThat(properties.checksFor("payments")).isEmpty();
        assertThat(properties.longestTimeout()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void refusesACheckWithoutUrlOrWithTwinNames() {
        assertThatThrownBy(() -> bind(Map.of(
                "stagecoach.smoke-test.services.app.checks[0].name", "health")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("'health' needs a url");
        assertThatThrownBy(() -> bind(Map.of(
                "stagecoach.smoke-test.services.app.checks[0].name", "health",
                "stagecoach.smoke-test.services.app.checks[0].url", "http://a",
                "stagecoach.smoke-test.services.app.checks[1].name", "health",
                "stagecoach.smoke-test.services.app.checks[1].url", "http://b")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("same name");
    }

    private static SmokeTestProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("stagecoach.smoke-test", SmokeTestProperties.class);
    }
}
