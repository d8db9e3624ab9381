package io.stagecoach.support;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class StagecoachDefaultsEnvironmentPostProcessorTests {

    private final StagecoachDefaultsEnvironmentPostProcessor postProcessor =
            new StagecoachDefaultsEnvironmentPostProcessor();

    @Test
    void servicesStartWithBoundedRetryConfirmsAndProbes() {
        StandardEnvironment environment = new StandardEnvironment();

        postProcessor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("spring.rabbitmq.listener.simple.retry.enabled")).isEqualTo("true");
        assertThat(environment.getProperty("spring.rabbitmq.listener.simple.retry.max-retries")).isEqualTo("3");
        assertThat(environment.getProperty("spring.rabbitmq.listener.simple.default-requeue-rejected"))
                .isEqualTo("false");
        assertThat(environment.getProperty("spring.rabbitmq.publisher-confirm-type")).isEqualTo("correlated");
        assertThat(environment.getProperty("management.endpoint.health.probes.enabled")).isEqualTo("true");
        assertThat(environment.getProperty("management.endpoints.web.exposure.include"))
                .isEqualTo("health,info,prometheus");
    }

    @Test
    void aServiceOverridesAnyDefault() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("application",
                Map.of("spring.rabbitmq.listener.simple.retry.max-retries", "7")));

        postProcessor.postProcessEnvironment(environment, new SpringApplication());
        postProcessor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("spring.rabbitmq.listener.simple.retry.max-retries")).isEqualTo("7");
        assertThat(environment.getPropertySources().stream()
                .filter(source -> source.getName().equals(StagecoachDefaultsEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)))
                .hasSize(1);
    }
}
