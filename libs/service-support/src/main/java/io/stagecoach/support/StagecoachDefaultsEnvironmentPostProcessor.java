package io.stagecoach.support;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * Adds {@code stagecoach-defaults.properties} (confirms, listener retry, probes, exposed endpoints) as the
 * property source of lowest precedence, so every service starts with them and may still override any one.
 */
class StagecoachDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String PROPERTY_SOURCE_NAME = "stagecoachDefaults";

    static final String RESOURCE = "io/stagecoach/support/stagecoach-defaults.properties";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
            return;
        }
        try {
            environment.getPropertySources()
                    .addLast(new ResourcePropertySource(PROPERTY_SOURCE_NAME, new ClassPathResource(RESOURCE)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, ex);
        }
    }
}
