package io.stagecoach.smoketest;

import io.stagecoach.support.resilience.Resilience;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SmokeTestConfiguration {

    @Bean
    SmokeTestRunner smokeTestRunner(SmokeTestProperties properties, Resilience resilience) {
        return new SmokeTestRunner(properties.deadline(), properties.initialBackoff(), properties.maxBackoff(),
                properties.longestTimeout(), resilience);
    }
}
