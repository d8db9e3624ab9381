package io.stagecoach.support.resilience;

import java.util.concurrent.Callable;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Resilience4j {@link Retry} and {@link CircuitBreaker} instances for calls to deploy targets, built from
 * {@code stagecoach.resilience.*} and published as {@code resilience4j.*} meters. Instances are shared by name,
 * so one circuit covers every call to the same target.
 *
 * <pre>{@code
 * resilience.call("gitops", () -> target.deploy(release));
 * }</pre>
 */
public final class Resilience {

    private final RetryRegistry retries;
    private final CircuitBreakerRegistry circuitBreakers;

    public Resilience(ResilienceProperties properties, MeterRegistry meterRegistry) {
        this.retries = RetryRegistry.of(retryConfig(properties.retry()));
        this.circuitBreakers = CircuitBreakerRegistry.of(circuitBreakerConfig(properties.circuitBreaker()));
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meterRegistry);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuitBreakers).bindTo(meterRegistry);
    }

    /** The retry named {@code name}, created with the configured defaults on first use. */
    public Retry retry(String name) {
        return retries.retry(name);
    }

    /**
     * The retry named {@code name}, created on first use with {@code config} (start from {@link #retryConfig()}
     * to keep the configured backoff, e.g. to ignore exceptions that no retry can fix).
     */
    public Retry retry(String name, RetryConfig config) {
        return retries.retry(name, config);
    }

    /** The circuit breaker named {@code name}, created with the configured defaults on first use. */
    public CircuitBreaker circuitBreaker(String name) {
        return circuitBreakers.circuitBreaker(name);
    }

    /** The configured retry settings, as a starting point for a variant. */
    public RetryConfig retryConfig() {
        return retries.getDefaultConfig();
    }

    /** The configured circuit breaker settings. */
    public CircuitBreakerConfig circuitBreakerConfig() {
        return circuitBreakers.getDefaultConfig();
    }

    /**
     * Calls {@code call} through the circuit breaker {@code name}, retried by the retry {@code name}. An open
     * circuit fails at once with {@link CallNotPermittedException} and is not retried.
     */
    public <T> T call(String name, Callable<T> call) throws Exception {
        Callable<T> guarded = CircuitBreaker.decorateCallable(circuitBreaker(name), call);
        return Retry.decorateCallable(retry(name), guarded).call();
    }

    /** {@link #call} for an action without a result. */
    public void run(String name, Action action) throws Exception {
        call(name, () -> {
            action.run();
            return null;
        });
    }

    /** An action that may fail with a checked exception. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private static RetryConfig retryConfig(ResilienceProperties.Retry retry) {
        return RetryConfig.custom()
                .maxAttempts(retry.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(retry.initialBackoff(), retry.multiplier(),
                        retry.maxBackoff()))
                .ignoreExceptions(CallNotPermittedException.class)
                .build();
    }

    private static CircuitBreakerConfig circuitBreakerConfig(ResilienceProperties.CircuitBreaker breaker) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(breaker.failureRateThreshold())
                .slidingWindowSize(breaker.slidingWindowSize())
                .minimumNumberOfCalls(breaker.minimumNumberOfCalls())
                .waitDurationInOpenState(breaker.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(breaker.permittedCallsInHalfOpenState())
                .build();
    }
}
