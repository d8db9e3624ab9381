package io.stagecoach.support.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.StagecoachResilienceAutoConfiguration;
import io.stagecoach.support.resilience.Resilience;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.DeployTargets;
import io.stagecoach.deploy.ResilientDeployTarget;
import io.stagecoach.deploy.TargetSettings;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The deploy target from {@code stagecoach.target.*}, retried and circuit-broken per {@code stagecoach.resilience},
 * for the services that deploy. The class path alone does not say which those are: where every service shares one
 * (the local pipeline runs them all in one JVM), a smoke test would otherwise open a GitOps repository of its own.
 */
@AutoConfiguration(after = StagecoachResilienceAutoConfiguration.class)
@ConditionalOnClass(DeployTarget.class)
@Conditional(StagecoachTargetAutoConfiguration.DeployingService.class)
public final class StagecoachTargetAutoConfiguration {

    @Bean
    TargetSettings targetSettings(org.springframework.core.env.Environment environment, Environments environments) {
        // the settings record is Spring-free (shared by the services that deploy), so it is bound here
        TargetSettings settings = Binder.get(environment).bindOrCreate("stagecoach.target", TargetSettings.class);
        String name = environment.getProperty("stagecoach.environment");
        Optional<String> declared = name == null ? Optional.empty()
                : environments.find(name).flatMap(own -> own.cloud().deployTarget());
        return declaredType(settings, environment.getProperty("stagecoach.target.type"), declared, name);
    }

    /**
     * The target environments.yaml names for the environment ({@code deploy-target}), unless
     * {@code stagecoach.target.type} is set: then both must say the same.
     */
    static TargetSettings declaredType(TargetSettings settings, String property, Optional<String> declared,
                                       String environment) {
        if (declared.isEmpty()) {
            return settings;
        }
        TargetSettings.Type type = TargetSettings.Type.valueOf(declared.get().toUpperCase(java.util.Locale.ROOT));
        if (property != null && !property.isBlank() && settings.type() != type) {
            throw new IllegalStateException("stagecoach.target.type is " + settings.type().id() + " but "
                    + "environments.yaml names " + type.id() + " as " + environment + "'s deploy-target; remove the "
                    + "setting (environments.yaml says how " + environment + " is deployed) or change deploy-target");
        }
        return new TargetSettings(type, settings.gitops(), settings.kubernetes(), settings.sync());
    }

    /**
     * The target itself; closed with the context (a Git repository, a Kubernetes client). Where environments.yaml
     * names this environment's own GitOps repository (and branch), the target writes there and holds only this
     * environment's files: its credential cannot change another environment's desired state (ADR 26).
     */
    @Bean
    DeployTarget deployTargetDelegate(TargetSettings settings, Environments environments,
                                      org.springframework.core.env.Environment properties) {
        String name = properties.getProperty("stagecoach.environment");
        Optional<Environment> own = name == null ? Optional.empty() : environments.find(name);
        if (settings.type() == TargetSettings.Type.GITOPS && own.isPresent()
                && own.get().cloud().gitopsRepository().isPresent()) {
            return DeployTargets.create(ownRepository(settings, own.get()),
                    Map.of(own.get().name(), own.get().namespace()));
        }
        return DeployTargets.create(settings, namespaces(environments));
    }

    /** The settings writing to the environment's own repository and branch; a conflicting setting is refused. */
    static TargetSettings ownRepository(TargetSettings settings, Environment environment) {
        String remote = environment.cloud().gitopsRepository().orElseThrow();
        String branch = environment.cloud().gitopsBranch().orElse("main");
        TargetSettings.GitOps gitops = settings.gitops();
        if (gitops.remote() != null && !gitops.remote().equals(remote)) {
            throw new IllegalStateException("stagecoach.target.gitops.remote is " + gitops.remote() + " but "
                    + "environments.yaml names " + remote + " as " + environment.name()
                    + "'s GitOps repository; remove the setting (environments.yaml says where " + environment.name()
                    + " is written)");
        }
        return settings.withGitOps(gitops.at(remote, branch));
    }

    @Bean
    @Primary
    ResilientDeployTarget deployTarget(@Qualifier("deployTargetDelegate") DeployTarget delegate,
                                       TargetSettings settings, Resilience resilience, MeterRegistry meterRegistry) {
        String name = "deploy-target-" + settings.type().id();
        // only failures that may go away are retried; of those, a race lost to other writers of the same repository
        // says nothing about the target's health and does not count against the breaker (ADR 18)
        RetryConfig retry = RetryConfig.from(resilience.retryConfig())
                .retryOnException(ResilientDeployTarget::isTransient).build();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig
                .from(resilience.circuitBreakerConfig()).recordException(ResilientDeployTarget::countsAgainstTheTarget)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meterRegistry);
        CircuitBreaker breaker = breakers.circuitBreaker(name);
        return new ResilientDeployTarget(delegate, resilience.retry(name, retry), breaker);
    }

    /** {@code stagecoach.service} names a service that deploys: one that announces deployments or rollbacks. */
    static final class DeployingService extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String service = context.getEnvironment().getProperty("stagecoach.service");
            boolean deploys = Principal.fromId(service == null ? "" : service)
                    .map(principal -> principal.produces().contains(EventType.DEPLOYMENT_COMPLETED)
                            || principal.produces().contains(EventType.ROLLBACK_COMPLETED))
                    .orElse(false);
            return deploys ? ConditionOutcome.match("service " + service + " deploys")
                    : ConditionOutcome.noMatch("service " + service + " does not deploy");
        }
    }

    static Map<String, String> namespaces(Environments environments) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (Environment environment : environments.all()) {
            namespaces.put(environment.name(), environment.namespace());
        }
        return namespaces;
    }
}
