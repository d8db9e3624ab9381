package io.stagecoach.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.support.resilience.Resilience;
import io.stagecoach.support.resilience.ResilienceProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** Retry and circuit breaker for calls to deploy targets, from {@code stagecoach.resilience.*}. */
@AutoConfiguration(after = CompositeMeterRegistryAutoConfiguration.class)
@EnableConfigurationProperties(ResilienceProperties.class)
public final class StagecoachResilienceAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Resilience stagecoachResilience(ResilienceProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        return new Resilience(properties, StagecoachMessagingAutoConfiguration.registry(meterRegistry));
    }
}
