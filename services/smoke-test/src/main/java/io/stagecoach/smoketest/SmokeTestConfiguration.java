package io.stagecoach.smoketest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SmokeTestConfiguration {

    @Bean
    SmokeTestRunner smokeTestRunner(SmokeTestProperties properties) {
        return new SmokeTestRunner(properties.deadline(), properties.initialBackoff(), properties.maxBackoff(),
                properties.longestTimeout());
    }
}
