package io.stagecoach.support.target;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.StagecoachResilienceAutoConfiguration;
import io.stagecoach.support.resilience.Resilience;
import io.stagecoach.target.DeployTarget;
import io.stagecoach.target.DeployTargets;
import io.stagecoach.target.ResilientDeployTarget;
import io.stagecoach.target.TargetSettings;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The deploy target from {@code stagecoach.target.*}, retried and circuit-broken per {@code stagecoach.resilience},
 * for the services that deploy (they have {@code stagecoach-deploy-target} on their class path; the others do not).
 */
@AutoConfiguration(after = StagecoachResilienceAutoConfiguration.class)
@ConditionalOnClass(DeployTarget.class)
public final class StagecoachTargetAutoConfiguration {

    @Bean
    TargetSettings targetSettings(org.springframework.core.env.Environment environment) {
        // the settings record is Spring-free (shared by the services that deploy), so it is bound here
        return Binder.get(environment).bindOrCreate("stagecoach.target", TargetSettings.class);
    }

    /** The target itself; closed with the context (a Git repository, a Kubernetes client). */
    @Bean
    DeployTarget deployTargetDelegate(TargetSettings settings, Environments environments) {
        return DeployTargets.create(settings, namespaces(environments));
    }

    @Bean
    @Primary
    ResilientDeployTarget deployTarget(@Qualifier("deployTargetDelegate") DeployTarget delegate,
                                       TargetSettings settings, Resilience resilience, MeterRegistry meterRegistry) {
        String name = "deploy-target-" + settings.type().id();
        // only failures that may go away are retried and count against the breaker
        RetryConfig retry = RetryConfig.from(resilience.retryConfig())
                .retryOnException(ResilientDeployTarget::isTransient).build();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig
                .from(resilience.circuitBreakerConfig()).recordException(ResilientDeployTarget::isTransient).build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meterRegistry);
        CircuitBreaker breaker = breakers.circuitBreaker(name);
        return new ResilientDeployTarget(delegate, resilience.retry(name, retry), breaker);
    }

    static Map<String, String> namespaces(Environments environments) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (Environment environment : environments.all()) {
            namespaces.put(environment.name(), environment.namespace());
        }
        return namespaces;
    }
}
