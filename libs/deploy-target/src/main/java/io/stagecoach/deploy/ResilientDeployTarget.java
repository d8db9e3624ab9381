package io.stagecoach.deploy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A target behind a retry with exponential backoff and a circuit breaker. Only transient failures are retried and
 * count against the breaker; a permanent one (a malformed overlay, a missing Deployment) is thrown at once. Safe
 * because deployments are idempotent. The {@link #retry()} and {@link #circuitBreaker()} are there for metrics
 * (e.g. Resilience4j's Micrometer binders) and for the breaker's state in a health check.
 */
public final class ResilientDeployTarget implements DeployTarget {

    private static final Logger log = LoggerFactory.getLogger(ResilientDeployTarget.class);

    private final DeployTarget delegate;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;

    /** Wraps with a retry and breaker made elsewhere, e.g. from registries that metrics are bound to. */
    public ResilientDeployTarget(DeployTarget delegate, Retry retry, CircuitBreaker circuitBreaker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        // a failure that a later attempt makes good is still a failure, and counts against the breaker: say it
        retry.getEventPublisher().onRetry(event -> log.warn("{}: attempt {} failed ({}); trying again in {} ms",
                retry.getName(), event.getNumberOfRetryAttempts(), String.valueOf(event.getLastThrowable()),
                event.getWaitInterval().toMillis()));
        circuitBreaker.getEventPublisher().onStateTransition(event -> log.warn("{}: circuit breaker {}",
                circuitBreaker.getName(), event.getStateTransition()));
    }

    /** Wraps with a retry and breaker named {@code name}, configured from the settings. */
    public static ResilientDeployTarget of(String name, DeployTarget delegate, Settings settings) {
        return new ResilientDeployTarget(delegate, Retry.of(name, retryConfig(settings)),
                CircuitBreaker.of(name, circuitBreakerConfig(settings)));
    }

    /** Retries transient failures only, with exponential backoff and jitter. */
    public static RetryConfig retryConfig(Settings settings) {
        return RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(),
                        settings.backoffMultiplier(), 0.2, settings.maxBackoff()))
                .retryOnException(ResilientDeployTarget::isTransient)
                .build();
    }

    /**
     * Opens on transient failures only, contention with other writers excepted: a permanent error, or a repository
     * that other writers keep busy, says nothing about the target's health.
     */
    public static CircuitBreakerConfig circuitBreakerConfig(Settings settings) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(ResilientDeployTarget::countsAgainstTheTarget)
                .build();
    }

    @Override
    public DeployResult deploy(Deployment deployment) {
        return call(() -> delegate.deploy(deployment));
    }

    @Override
    public Optional<RunningRelease> running(String environment, String service) {
        return call(() -> delegate.running(environment, service));
    }

    @Override
    public java.util.List<String> preflight(String environment, String service) {
        return call(() -> delegate.preflight(environment, service));
    }

    /** Not retried and not counted by the breaker: the next comparison asks again. */
    @Override
    public java.util.Map<String, Optional<RunningRelease>> declared(String environment,
                                                                    java.util.Collection<String> services) {
        return delegate.declared(environment, services);
    }

    /** Not retried and not counted by the breaker: the next comparison asks again. */
    @Override
    public Optional<RunningRelease> observed(String environment, String service) {
        return delegate.observed(environment, service);
    }

    public Retry retry() {
        return retry;
    }

    public CircuitBreaker circuitBreaker() {
        return circuitBreaker;
    }

    public DeployTarget delegate() {
        return delegate;
    }

    private <T> T call(Supplier<T> supplier) {
        return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(circuitBreaker, supplier)).get();
    }

    /**
     * Whether a failure says the target may be unwell: a transient one, except other writers having kept it moving
     * (a busy repository is a healthy one; the retry takes care of it).
     */
    public static boolean countsAgainstTheTarget(Throwable failure) {
        return isTransient(failure) && !(failure instanceof TransientTargetException t && t.isContention());
    }

    /**
     * Whether a failure may go away: a {@link DeployTargetException} says so itself; IO and Git transport errors
     * and Kubernetes 5xx, 429, 409 and lost connections may; an open breaker and anything else do not.
     */
    public static boolean isTransient(Throwable failure) {
        if (failure instanceof CallNotPermittedException) {
            return false;
        }
        if (failure instanceof DeployTargetException target) {
            return target.isTransient();
        }
        if (failure instanceof KubernetesClientException kubernetes) {
            return KubernetesTarget.translate("call", kubernetes).isTransient();
        }
        return DeployTargetException.causedByIo(failure);
    }

    /**
     * Retry and breaker settings.
     *
     * @param maxAttempts          attempts in all, the first included
     * @param initialBackoff       the wait before the second attempt
     * @param backoffMultiplier    how much each wait grows
     * @param maxBackoff           the longest wait
     * @param failureRateThreshold percentage of transient failures that opens the breaker
     * @param slidingWindowSize    how many recent calls the rate is over
     * @param minimumNumberOfCalls how many calls before the rate counts
     * @param waitInOpenState      how long the open breaker refuses calls before letting one through
     */
    public record Settings(int maxAttempts, Duration initialBackoff, double backoffMultiplier, Duration maxBackoff,
                           float failureRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
                           Duration waitInOpenState) {

        /** 5 attempts from 500 ms doubling up to 10 s; opens at 50 % of the last 10 calls for 30 s. */
        public static Settings defaults() {
            return new Settings(5, Duration.ofMillis(500), 2.0, Duration.ofSeconds(10), 50f, 10, 5,
                    Duration.ofSeconds(30));
        }

        public Settings withBackoff(Duration initial, Duration max) {
            return new Settings(maxAttempts, initial, backoffMultiplier, max, failureRateThreshold,
                    slidingWindowSize, minimumNumberOfCalls, waitInOpenState);
        }

        public Settings withMaxAttempts(int attempts) {
            return new Settings(attempts, initialBackoff, backoffMultiplier, maxBackoff, failureRateThreshold,
                    slidingWindowSize, minimumNumberOfCalls, waitInOpenState);
        }
    }
}
